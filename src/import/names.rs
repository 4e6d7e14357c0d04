//! Scenario names from AWS names. AWS allows characters in policy and action
//! names (dots, spaces) that a scenario name may not hold, since names become
//! output keys; they are replaced, and the change is reported.

/// `raw` with every character a scenario name may not hold replaced by `-`.
pub fn scenario_name(raw: &str) -> String {
    let trimmed = raw.trim();
    let name: String =
        trimmed.chars().map(|c| if matches!(c, '.' | '[' | ']' | '"' | ',' | '/' | '\\') { '-' } else { c }).collect();
    if name.is_empty() { "unnamed".to_string() } else { name }
}

/// A name not yet in `taken`: `name`, else `name-2`, `name-3`...
pub fn unique(name: String, taken: &[String]) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..).map(|i| format!("{name}-{i}")).find(|n| !taken.contains(n)).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_become_dashes_and_repeats_get_a_suffix() {
        assert_eq!(scenario_name(" cpu.75 [x] "), "cpu-75 -x-");
        assert_eq!(scenario_name("web_app-1"), "web_app-1");
        assert_eq!(scenario_name("  "), "unnamed");
        let taken = vec!["a".to_string(), "a-2".to_string()];
        assert_eq!(unique("a".into(), &taken), "a-3");
        assert_eq!(unique("b".into(), &taken), "b");
    }
}
