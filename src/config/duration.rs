//! Durations: `4m`, `90s`, `1h30m`, `500ms`, as `min_duration`,
//! `steady_state = "after 30s"` and a threshold's `for` window write them.

use super::threshold::{Cursor, ParseError, err};

/// Parse a duration such as `4m`, `90s`, `1h30m`, `500ms` into seconds.
pub fn parse_duration(text: &str) -> Result<f64, ParseError> {
    let mut c = Cursor {
        text: text.trim(),
        pos: 0,
    };
    if c.rest().is_empty() {
        return err(0, "expected a duration such as `30s`, `4m` or `1h30m`");
    }
    let mut total = 0.0;
    while !c.rest().is_empty() {
        let at = c.pos;
        let number = c.take_while(|ch| ch.is_ascii_digit() || ch == '.');
        let Ok(value) = number.parse::<f64>() else {
            return err(
                at,
                format!(
                    "expected a number at `{}`; a duration is like `30s`, `4m` or `1h30m`",
                    c.rest()
                ),
            );
        };
        let unit_at = c.pos;
        let unit = c.take_while(|ch| ch.is_ascii_alphabetic());
        let factor = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "" => {
                return err(
                    unit_at,
                    format!("`{number}` needs a unit: ms, s, m or h (e.g. `{number}s`)"),
                );
            }
            _ => {
                return err(
                    unit_at,
                    format!("unknown duration unit `{unit}`; use ms, s, m or h"),
                );
            }
        };
        total += value * factor;
    }
    // Ten years: longer is a typo, and would overflow later arithmetic.
    if !(total.is_finite() && total <= 10.0 * 365.0 * 86_400.0) {
        return err(0, format!("`{}` is longer than 10 years", c.text));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Threshold;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("4m").unwrap(), 240.0);
        assert_eq!(parse_duration("90s").unwrap(), 90.0);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration("500ms").unwrap(), 0.5);
        assert!(parse_duration("4").is_err());
        assert!(parse_duration("4 weeks").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999h").is_err());
        assert!(Threshold::parse(&format!("p99 < {}s", "9".repeat(310))).is_err());
    }
}
