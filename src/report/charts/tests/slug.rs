//! File-name slugs.

use crate::report::charts::{slug, unique_slugs};

#[test]
fn slug_keeps_safe_ascii_and_collapses_the_rest() {
    assert_eq!(
        slug("scenario1_concurrent_deployments"),
        "scenario1_concurrent_deployments"
    );
    assert_eq!(slug("Checkout Flow (v2)"), "checkout-flow-v2");
    assert_eq!(
        slug("<script>alert(1)</script> & \"x\""),
        "script-alert-1-script-x"
    );
    assert_eq!(slug("a--b..c"), "a-b-c");
    assert_eq!(slug("über/straße"), "ber-stra-e");
    assert_eq!(slug("x".repeat(300).as_str()).len(), 100);
}

#[test]
fn slugs_are_unique_per_run_and_stable() {
    let sets: [&[&str]; 4] = [
        &["api.v1", "api-v1", "other"],
        &["Checkout", "checkout"],
        &["a<b", "a>b", "a b", "a-b"],
        &["", "🔥", "scenario"],
    ];
    for names in sets {
        let slugs = unique_slugs(names.iter().copied());
        let distinct: std::collections::HashSet<String> =
            slugs.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(distinct.len(), names.len(), "{names:?} → {slugs:?}");
        assert_eq!(slugs, unique_slugs(names.iter().copied()));
    }
    // Only colliding names get a hash; the rest keep their plain slug.
    let slugs = unique_slugs(["api.v1", "api-v1", "other"]);
    assert_eq!(slugs[2], "other");
    assert!(slugs[0].starts_with("api-v1-") && slugs[0].len() == "api-v1-".len() + 8);
    // The hash depends on the name only, not on the other names.
    assert_eq!(unique_slugs(["api.v1", "api-v1"])[0], slugs[0]);
}

#[test]
fn slug_is_never_empty() {
    for name in ["", "---", "日本語", "🔥", "/"] {
        assert_eq!(slug(name), "scenario", "{name:?}");
    }
}
