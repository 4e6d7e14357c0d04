//! Small HTML building blocks for the report: escaping, numbers, tables.

use serde_json::Value;

/// Text made safe for element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Whole numbers as integers; others to six significant digits without
/// trailing zeros, enough to tell 0.99995 from 0.9999.
pub(crate) fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == value.trunc() && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 12) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// A JSON scalar as table text; null (an undefined figure) shows as "n/a".
pub(crate) fn format_json(value: &Value) -> String {
    match value {
        Value::Null => "n/a".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => format_number(f),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// A CSV cell as table text: numbers formatted like JSON numbers.
pub(crate) fn format_cell(cell: &str) -> String {
    match cell.parse::<f64>() {
        Ok(number) if number.is_finite() => format_number(number),
        _ => cell.to_string(),
    }
}

/// Nested objects as (dotted key, scalar) pairs in key order.
pub(crate) fn flatten(value: &Value) -> Vec<(String, &Value)> {
    let mut pairs = Vec::new();
    flatten_into(String::new(), value, &mut pairs);
    pairs
}

fn flatten_into<'a>(prefix: String, value: &'a Value, pairs: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let key = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten_into(key, inner, pairs);
            }
        }
        _ => pairs.push((prefix, value)),
    }
}

/// A table of plain text cells (escaped when rendered).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn to_html(&self) -> String {
        let mut html = String::from("<table class=\"sortable\">\n");
        if !self.caption.is_empty() {
            html.push_str(&format!("<caption>{}</caption>\n", escape(&self.caption)));
        }
        html.push_str("<thead><tr>");
        for cell in &self.header {
            html.push_str(&format!("<th>{}</th>", escape(cell)));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            html.push_str("<tr>");
            for (column, cell) in row.iter().enumerate() {
                let numeric = column > 0 && cell.parse::<f64>().is_ok();
                let class = if numeric { " class=\"num\"" } else { "" };
                html.push_str(&format!("<td{class}>{}</td>", escape(cell)));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>\n");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(0.99995), "0.99995");
        assert_eq!(format_number(1234.56789), "1234.57");
        assert_eq!(format_number(0.000123456789), "0.000123457");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_json(&Value::Null), "n/a");
        assert_eq!(format_cell("0.1250"), "0.125");
        assert_eq!(format_cell("web"), "web");
    }

    #[test]
    fn flattens_with_dotted_keys() {
        let value: Value = serde_json::json!({"b": {"y": 2, "x": null}, "a": 1});
        let keys: Vec<String> = flatten(&value).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b.x", "b.y"]);
    }
}
