//! The backend the charts draw on: the SVG document plotters-svg's
//! `SVGBackend::with_string` writes, byte for byte (a test draws the same
//! shapes on both), written straight into the string. plotters-svg makes a
//! `String` with `format!` for every attribute of every element, which was
//! most of drawing a chart, and a chart per scenario and figure is most of a
//! run over many scenarios.

use std::fmt::Write;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

/// An SVG document being drawn into a string.
pub struct Svg<'a> {
    buf: &'a mut String,
    size: (u32, u32),
    /// The tags open, innermost last.
    open: Vec<&'static str>,
    saved: bool,
}

impl<'a> Svg<'a> {
    /// A `size` document written into `buf`.
    pub fn with_string(buf: &'a mut String, size: (u32, u32)) -> Self {
        let mut svg = Svg {
            buf,
            size,
            open: Vec::new(),
            saved: false,
        };
        svg.start("svg");
        svg.number("width", size.0);
        svg.number("height", size.1);
        svg.number("viewBox", format_args!("0 0 {} {}", size.0, size.1));
        svg.text("xmlns", "http://www.w3.org/2000/svg");
        svg.open_end("svg");
        svg
    }

    /// An element's start, unless `color` is fully transparent (nothing is
    /// drawn then, as in plotters-svg): whether it was started.
    fn begin(&mut self, tag: &str, color: BackendColor) -> bool {
        if color.alpha == 0.0 {
            return false;
        }
        self.start(tag);
        true
    }

    fn start(&mut self, tag: &str) {
        self.buf.push('<');
        self.buf.push_str(tag);
    }

    /// An attribute whose value needs no escaping (numbers).
    fn number(&mut self, key: &str, value: impl Number) {
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        value.put(self.buf);
        self.buf.push('"');
    }

    /// An attribute with its value escaped.
    fn text(&mut self, key: &str, value: &str) {
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        escape_into(self.buf, value);
        self.buf.push('"');
    }

    fn opacity(&mut self, color: BackendColor) {
        self.number("opacity", color.alpha);
    }

    fn color(&mut self, key: &str, color: BackendColor) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let (r, g, b) = color.rgb;
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"#");
        for byte in [r, g, b] {
            self.buf.push(char::from(HEX[usize::from(byte >> 4)]));
            self.buf.push(char::from(HEX[usize::from(byte & 15)]));
        }
        self.buf.push('"');
    }

    /// A shape's `fill` and `stroke`: the color on one, `none` on the other.
    fn paint(&mut self, color: BackendColor, fill: bool) {
        if fill {
            self.color("fill", color);
            self.text("stroke", "none");
        } else {
            self.text("fill", "none");
            self.color("stroke", color);
        }
    }

    fn points(&mut self, path: impl IntoIterator<Item = BackendCoord>) {
        self.buf.push_str(" points=\"");
        for (x, y) in path {
            x.put(self.buf);
            self.buf.push(',');
            y.put(self.buf);
            self.buf.push(' ');
        }
        self.buf.push('"');
    }

    /// The end of an element with no content.
    fn end(&mut self) {
        self.buf.push_str("/>\n");
    }

    /// The end of an opening tag, left open.
    fn open_end(&mut self, tag: &'static str) {
        self.buf.push_str(">\n");
        self.open.push(tag);
    }

    fn close(&mut self) -> bool {
        let Some(tag) = self.open.pop() else {
            return false;
        };
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push_str(">\n");
        true
    }
}

/// A number as `Display` writes it, without the formatting machinery for
/// the common cases: a chart is mostly coordinates, and `write!` of each
/// was most of drawing one.
trait Number {
    fn put(self, buf: &mut String);
}

impl Number for i32 {
    fn put(self, buf: &mut String) {
        put_int(buf, i64::from(self));
    }
}

impl Number for u32 {
    fn put(self, buf: &mut String) {
        put_int(buf, i64::from(self));
    }
}

impl Number for f64 {
    fn put(self, buf: &mut String) {
        // A whole number (not -0, which `Display` writes with its sign)
        // is written as `Display` writes it: its digits alone.
        if self.fract() == 0.0 && self.abs() < 1e15 && !(self == 0.0 && self.is_sign_negative()) {
            put_int(buf, self as i64);
        } else {
            let _ = write!(buf, "{self}");
        }
    }
}

impl Number for std::fmt::Arguments<'_> {
    fn put(self, buf: &mut String) {
        let _ = buf.write_fmt(self);
    }
}

/// `v`'s decimal digits, with `-` when negative.
fn put_int(buf: &mut String, v: i64) {
    let mut text = [0u8; 20];
    let mut at = text.len();
    let mut rest = v.unsigned_abs();
    loop {
        at -= 1;
        text[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if v < 0 {
        at -= 1;
        text[at] = b'-';
    }
    for &b in &text[at..] {
        buf.push(char::from(b));
    }
}

/// `value` with `<`, `>`, `&` and both quotes escaped, as plotters-svg does,
/// and (where plotters-svg would write them) the characters XML 1.0 forbids
/// (C0 controls but tab and the line breaks, U+FFFE, U+FFFF) replaced by
/// U+FFFD: every text of a chart comes through here, so whatever a name
/// holds, every chart parses as XML, inline in report.html too.
fn escape_into(buf: &mut String, value: &str) {
    // Most texts (labels, numbers) need none of it: one check, one copy.
    // U+FFFE and U+FFFF start with the byte 0xEF.
    let plain = |b: &u8| *b >= 0x20 && !matches!(b, b'<' | b'>' | b'&' | b'"' | b'\'' | 0xEF);
    if value.as_bytes().iter().all(plain) {
        buf.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '&' => buf.push_str("&amp;"),
            '"' => buf.push_str("&quot;"),
            '\'' => buf.push_str("&apos;"),
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => buf.push('\u{fffd}'),
            other => buf.push(other),
        }
    }
}

type Drawn = Result<(), DrawingErrorKind<std::io::Error>>;

impl DrawingBackend for Svg<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        if !self.saved {
            while self.close() {}
            self.saved = true;
        }
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        if !self.begin("rect", color) {
            return Ok(());
        }
        self.number("x", point.0);
        self.number("y", point.1);
        self.number("width", 1);
        self.number("height", 1);
        self.text("stroke", "none");
        self.opacity(color);
        self.color("fill", color);
        self.end();
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("line", color) {
            return Ok(());
        }
        self.opacity(color);
        self.color("stroke", color);
        self.number("stroke-width", style.stroke_width());
        self.number("x1", from.0);
        self.number("y1", from.1);
        self.number("x2", to.0);
        self.number("y2", to.1);
        self.end();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("rect", color) {
            return Ok(());
        }
        self.number("x", upper_left.0);
        self.number("y", upper_left.1);
        self.number("width", bottom_right.0 - upper_left.0);
        self.number("height", bottom_right.1 - upper_left.1);
        self.opacity(color);
        self.paint(color, fill);
        self.end();
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("polyline", color) {
            return Ok(());
        }
        self.text("fill", "none");
        self.opacity(color);
        self.color("stroke", color);
        self.number("stroke-width", style.stroke_width());
        self.points(path);
        self.end();
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("polygon", color) {
            return Ok(());
        }
        self.opacity(color);
        self.color("fill", color);
        self.points(path);
        self.end();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("circle", color) {
            return Ok(());
        }
        self.number("cx", center.0);
        self.number("cy", center.1);
        self.number("r", radius);
        self.opacity(color);
        self.paint(color, fill);
        self.number("stroke-width", style.stroke_width());
        self.end();
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        let color = style.color();
        if !self.begin("text", color) {
            return Ok(());
        }
        let (x0, y0) = pos;
        let anchor = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "middle",
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => "0.76em",
            VPos::Center => "0.5ex",
            VPos::Bottom => "-0.5ex",
        };
        self.number("x", x0);
        self.number("y", y0);
        self.text("dy", dy);
        self.text("text-anchor", anchor);
        self.text("font-family", style.family().as_str());
        self.number("font-size", style.size() / 1.24);
        self.opacity(color);
        self.color("fill", color);
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => self.text("font-weight", "bold"),
            other => self.text("font-style", other.as_str()),
        }
        let rotate = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            _ => None,
        };
        if let Some(degrees) = rotate {
            self.number("transform", format_args!("rotate({degrees}, {x0}, {y0})"));
        }
        self.open_end("text");
        escape_into(self.buf, text);
        self.buf.push('\n');
        self.close();
        Ok(())
    }
}

impl Drop for Svg<'_> {
    fn drop(&mut self) {
        let _ = self.present();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;
    use plotters::style::text_anchor::Pos;

    /// Every primitive, in several styles, on any backend.
    fn draw_all<DB: DrawingBackend>(db: &mut DB) {
        let colors = [
            RGBAColor(0x12, 0xab, 0xef, 1.0),
            RGBAColor(0, 0, 0, 0.25),
            RGBAColor(255, 255, 255, 0.0),
        ];
        for (i, color) in colors.iter().enumerate() {
            let i = i as i32;
            let style = ShapeStyle {
                color: *color,
                filled: i % 2 == 0,
                stroke_width: 1 + i as u32,
            };
            db.draw_pixel((i, -i), color.to_backend_color()).unwrap();
            db.draw_line((i, 2), (-3, 40 + i), &style).unwrap();
            for fill in [false, true] {
                db.draw_rect((1, 2), (30 + i, 4), &style, fill).unwrap();
                db.draw_circle((5, 6), 7 + i as u32, &style, fill).unwrap();
            }
            db.draw_path(vec![(0, 0), (10, -5), (20, 7)], &style)
                .unwrap();
            db.fill_polygon(vec![(1, 1), (9, 1), (5, 8)], &style)
                .unwrap();
            for (h, v) in [
                (HPos::Left, VPos::Top),
                (HPos::Center, VPos::Center),
                (HPos::Right, VPos::Bottom),
            ] {
                for transform in [
                    FontTransform::None,
                    FontTransform::Rotate90,
                    FontTransform::Rotate180,
                    FontTransform::Rotate270,
                ] {
                    for font_style in [FontStyle::Normal, FontStyle::Bold, FontStyle::Italic] {
                        let text = ("sans-serif", 13.0 + f64::from(i), font_style)
                            .into_font()
                            .color(color)
                            .pos(Pos::new(h, v))
                            .transform(transform.clone());
                        db.draw_text("a < b & \"c\" 'd' > é", &text, (3 * i, 4))
                            .unwrap();
                    }
                }
            }
        }
    }

    #[test]
    fn draws_what_plotters_svg_draws() {
        let mut theirs = String::new();
        {
            let mut svg = plotters_svg::SVGBackend::with_string(&mut theirs, (640, 480));
            draw_all(&mut svg);
            svg.present().unwrap();
        }
        let mut ours = String::new();
        {
            let mut svg = Svg::with_string(&mut ours, (640, 480));
            draw_all(&mut svg);
            svg.present().unwrap();
        }
        assert!(theirs.len() > 5000, "{theirs}");
        assert_eq!(ours, theirs);
        // Dropped without present: closed the same way.
        let (mut a, mut b) = (String::new(), String::new());
        drop(plotters_svg::SVGBackend::with_string(&mut a, (1, 2)));
        drop(Svg::with_string(&mut b, (1, 2)));
        assert_eq!(a, b);
    }

    #[test]
    fn characters_xml_forbids_become_replacement_characters_and_the_rest_stays() {
        let mut out = String::new();
        escape_into(&mut out, "a\u{0}\u{1}b\u{1f}c\u{fffe}d\u{ffff}e<&>");
        assert_eq!(
            out,
            "a\u{fffd}\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e&lt;&amp;&gt;"
        );
        let fine = "\t\r\n é \u{fffd} \u{fffc} 日本 \u{7f}";
        out.clear();
        escape_into(&mut out, fine);
        assert_eq!(out, fine);
    }
}
