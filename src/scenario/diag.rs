//! Problems found in a scenario, each tied to a place a user can find:
//! `file:line:column` when the key is in the file, the dotted key otherwise.
//!
//! The resolver records problems against index paths such as
//! `services[0].auto_scaling.min_capacity`; this module turns them into
//! `services[web].auto_scaling.min_capacity` and a line:column, using the
//! spans of the parsed document.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One problem: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path in display form (`services[web].desired_count`), empty for the whole file.
    pub path: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
    pub message: String,
}

/// All problems of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics {
    pub file: String,
    pub problems: Vec<Problem>,
    /// The file parsed and every value has the right type and form: the
    /// problems are cross-checks (a minimum above a maximum, an unknown name).
    pub values_ok: bool,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some((line, col)) = p.line_col {
                write!(f, ":{line}:{col}")?;
            }
            if p.path.is_empty() {
                write!(f, ": {}", p.message)?;
            } else {
                write!(f, ": {}: {}", p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Where each key path of the document is, and the display name of each array element.
#[derive(Default)]
pub struct SpanIndex {
    /// index path -> where it is
    entries: BTreeMap<String, Entry>,
    line_starts: Vec<usize>,
    /// Every value's extent, sorted so that an enclosing value comes before
    /// what it holds, with the nearest enclosing one: finding the key around an
    /// error offset walks up from one binary search instead of scanning every
    /// key (validating a file of many broken elements stays linear).
    nest: Vec<Nested>,
}

struct Nested {
    start: usize,
    end: usize,
    display: String,
    parent: Option<usize>,
}

struct Entry {
    /// The key (or the array element) a user would look for.
    anchor: Range<usize>,
    /// The whole value, to find the innermost key around an error offset.
    value: Range<usize>,
    display: String,
}

impl SpanIndex {
    pub fn build(source: &str, root: &DeTable<'_>) -> SpanIndex {
        let mut index = SpanIndex { entries: BTreeMap::new(), line_starts: line_starts(source), nest: Vec::new() };
        index.walk_table(root, "", "");
        index.nest = nest(&index.entries);
        index
    }

    /// An index that knows only line numbers (for errors before a document exists).
    pub fn lines_only(source: &str) -> SpanIndex {
        SpanIndex { entries: BTreeMap::new(), line_starts: line_starts(source), nest: Vec::new() }
    }

    fn walk_table(&mut self, table: &DeTable<'_>, index_path: &str, display_path: &str) {
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let ip = join(index_path, name);
            let dp = join(display_path, name);
            self.entries.insert(ip.clone(), Entry { anchor: key.span(), value: value.span(), display: dp.clone() });
            self.walk_value(value.get_ref(), &ip, &dp);
        }
    }

    fn walk_value(&mut self, value: &DeValue<'_>, ip: &str, dp: &str) {
        match value {
            DeValue::Table(t) => self.walk_table(t, ip, dp),
            DeValue::Array(items) => {
                let array_key = ip.rsplit(['.', ']']).next().unwrap_or("");
                for (i, item) in items.iter().enumerate() {
                    let label = match item.get_ref() {
                        DeValue::Table(t) => selector_name(t, array_key).unwrap_or_else(|| i.to_string()),
                        _ => i.to_string(),
                    };
                    let eip = format!("{ip}[{i}]");
                    let edp = format!("{dp}[{label}]");
                    self.entries
                        .insert(eip.clone(), Entry { anchor: item.span(), value: item.span(), display: edp.clone() });
                    self.walk_value(item.get_ref(), &eip, &edp);
                }
            }
            _ => {}
        }
    }

    /// Line and column (1-based) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        (line, offset - self.line_starts[line - 1] + 1)
    }

    /// Display path and position of an index path; falls back to the nearest
    /// enclosing key that exists (a missing key is reported at its table).
    pub fn locate(&self, index_path: &str) -> (String, Option<(usize, usize)>) {
        let mut probe = index_path.to_string();
        let mut suffix = String::new();
        loop {
            if let Some(e) = self.entries.get(&probe) {
                return (format!("{}{suffix}", e.display), Some(self.line_col(e.anchor.start)));
            }
            match probe.rfind(['.', '[']) {
                Some(cut) => {
                    suffix = format!("{}{suffix}", &probe[cut..]);
                    probe.truncate(cut);
                }
                None => return (index_path.to_string(), None),
            }
        }
    }

    pub fn problem(&self, index_path: &str, message: impl Into<String>) -> Problem {
        let (path, line_col) = self.locate(index_path);
        Problem { path, line_col, message: message.into() }
    }

    /// A problem at a byte span (from a toml error): the path is the innermost
    /// key whose value contains the span, or `fallback_path` when none does.
    pub fn problem_at_span(
        &self,
        span: Option<Range<usize>>,
        fallback_path: &str,
        message: impl Into<String>,
    ) -> Problem {
        let (fallback_display, fallback_pos) = self.locate(fallback_path);
        let Some(span) = span else {
            return Problem { path: fallback_display, line_col: fallback_pos, message: message.into() };
        };
        let path = self.innermost(&span).unwrap_or(fallback_display);
        Problem { path, line_col: Some(self.line_col(span.start)), message: message.into() }
    }

    /// The display path of the smallest value that holds `span`.
    fn innermost(&self, span: &Range<usize>) -> Option<String> {
        let holds = |n: &Nested| n.start <= span.start && span.end <= n.end;
        let last = self.nest.partition_point(|n| n.start <= span.start).checked_sub(1)?;
        let mut at = Some(last);
        while let Some(i) = at {
            if holds(&self.nest[i]) {
                return Some(self.nest[i].display.clone());
            }
            at = self.nest[i].parent;
        }
        None
    }
}

/// The values of `entries` as a forest: sorted by start, the longer first
/// (and, among equal extents, the first path last, so that it is the one a
/// search ends on), each with the nearest value before it that holds it.
fn nest(entries: &BTreeMap<String, Entry>) -> Vec<Nested> {
    let mut nodes: Vec<Nested> = entries
        .values()
        .map(|e| Nested {
            start: e.value.start,
            end: e.value.end.max(e.value.start + 1),
            display: e.display.clone(),
            parent: None,
        })
        .collect();
    // Stable: equal extents keep the paths' order, reversed below.
    nodes.reverse();
    nodes.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut open: Vec<usize> = Vec::new();
    for i in 0..nodes.len() {
        while open.last().is_some_and(|&o| !(nodes[o].start <= nodes[i].start && nodes[i].end <= nodes[o].end)) {
            open.pop();
        }
        nodes[i].parent = open.last().copied();
        open.push(i);
    }
    nodes
}

/// The key that names an element of an array of tables, by the array's key
/// (docs/conventions.md "Sweeps"); `None` for arrays picked only by index.
pub fn selector_key(array_key: &str) -> Option<&'static str> {
    match array_key {
        "task_definitions" => Some("family"),
        "capacity_provider_strategy" => Some("capacity_provider"),
        "calls" => Some("service"),
        "pools" | "reserved_instances" => Some("instance_type"),
        "events"
        | "spikes"
        | "steps"
        | "port_mappings"
        | "placement_strategy"
        | "placement_constraints"
        | "reclaim_events"
        | "availability_zones" => None,
        _ => Some("name"),
    }
}

fn selector_name(t: &DeTable<'_>, array_key: &str) -> Option<String> {
    let key = selector_key(array_key)?;
    match t.get(key).map(|v| v.get_ref()) {
        // A control character is shown escaped, and a name too long to read clipped.
        Some(DeValue::String(s)) if s.contains(char::is_control) => Some(clip(&s.escape_debug().to_string())),
        Some(DeValue::String(s)) => Some(clip(s)),
        _ => None,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.len() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The documented range of each whole-number key (docs/scenario-format.md),
/// by its path with array positions left out, for the message of a value of
/// the wrong sign or type: serde only knows the range of the Rust type.
const INTEGER_RANGES: &[(&str, &str)] = &[
    ("simulation.replications", "1 to 10000"),
    ("instance_types[].vcpu", "1 to 448"),
    ("capacity_providers[].min_size", "0 to 5000"),
    ("capacity_providers[].max_size", "1 to 5000"),
    ("capacity_providers[].desired_capacity", "0 to 5000"),
    ("capacity_providers[].managed_scaling.minimum_scaling_step_size", "1 to 10000"),
    ("capacity_providers[].managed_scaling.maximum_scaling_step_size", "1 to 10000"),
    ("reserved_instances[].count", "1 to 5000"),
    ("task_definitions[].cpu", "128 to 196608"),
    ("task_definitions[].memory", "6 to 1572864"),
    ("task_definitions[].port_mappings[].container_port", "1 to 65535"),
    ("task_definitions[].port_mappings[].host_port", "0 to 65535"),
    ("services[].desired_count", "0 to 5000"),
    ("services[].capacity_provider_strategy[].base", "0 to 100000"),
    ("services[].capacity_provider_strategy[].weight", "0 to 1000"),
    ("services[].load_balancer.healthy_threshold", "2 to 10"),
    ("services[].load_balancer.unhealthy_threshold", "2 to 10"),
    ("services[].auto_scaling.min_capacity", "0 to 5000"),
    ("services[].auto_scaling.max_capacity", "0 to 5000"),
    ("services[].auto_scaling.step_scaling[].evaluation_periods", "1 to 1440"),
    ("services[].auto_scaling.scheduled[].min_capacity", "0 to 5000"),
    ("services[].auto_scaling.scheduled[].max_capacity", "0 to 5000"),
    ("scheduled_tasks[].count", "1 to 10"),
    ("scheduled_tasks[].max_attempts", "1 to 100"),
    ("scheduled_tasks[].capacity_provider_strategy[].base", "0 to 100000"),
    ("scheduled_tasks[].capacity_provider_strategy[].weight", "0 to 1000"),
    ("events[].desired_count", "0 to 5000"),
];

/// `message` with serde's range of a whole-number type replaced by the
/// range of the key at `display_path` (`services[web].desired_count`), when
/// the key has one.
pub fn with_key_range(display_path: &str, message: String) -> String {
    const SERDE_RANGE: &str = "from 0 to 4294967295";
    if !message.contains(SERDE_RANGE) {
        return message;
    }
    let mut key = String::with_capacity(display_path.len());
    let mut depth = 0;
    for c in display_path.chars() {
        match c {
            '[' => {
                depth += 1;
                key.push('[');
            }
            ']' => {
                depth -= 1;
                key.push(']');
            }
            _ if depth > 0 => {}
            _ => key.push(c),
        }
    }
    match INTEGER_RANGES.iter().find(|(k, _)| *k == key) {
        Some((_, range)) => message.replace(SERDE_RANGE, &format!("from {range}")),
        None => message,
    }
}

/// The longest text a message quotes whole.
const MAX_QUOTED_CHARS: usize = 80;

/// `text`, or its first characters and its length when it is too long to
/// quote in a message (a 200 MB value is not echoed back).
pub fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_QUOTED_CHARS / 2).collect();
    format!("{head}… ({} bytes in all)", text.len())
}

/// A serde message with every quoted part (`"..."` or `` `...` ``) clipped.
fn clip_quoted(message: &str) -> String {
    if message.len() <= 4 * MAX_QUOTED_CHARS {
        return message.to_string();
    }
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        // A quoted value ends at the last quote of its kind before ", expected" (it may hold quotes).
        let end = after.find(&format!("{quote}, expected")).or_else(|| after.find(quote));
        let Some(end) = end else {
            out.push_str(&clip(after));
            return out;
        };
        out.push_str(&clip(&after[..end]));
        out.push(quote);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Plain words for serde's Rust type names, and "did you mean" for unknown keys.
pub fn improve_serde_message(message: &str) -> String {
    let message = clip_quoted(message);
    let message = message
        .replace(" as i128", "")
        .replace("expected u32", "expected a whole number from 0 to 4294967295")
        .replace("expected u64", "expected a whole number of at least 0")
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false");
    let message = message.as_str();
    let Some(rest) = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return message.to_string();
    };
    let Some((word, tail)) = rest.split_once('`') else { return message.to_string() };
    let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    match did_you_mean(word, candidates.iter().copied()) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_maps_indices_to_names_and_lines() {
        let src = "[simulation]\nname = \"x\"\n\n[[services]]\nname = \"web\"\ndesired_count = 2\n";
        let doc = DeTable::parse(src).unwrap();
        let idx = SpanIndex::build(src, doc.get_ref());
        assert_eq!(idx.locate("services[0].desired_count"), ("services[web].desired_count".into(), Some((6, 1))));
        // A missing key is reported at its enclosing element.
        assert_eq!(idx.locate("services[0].auto_scaling.min_capacity").0, "services[web].auto_scaling.min_capacity");
        assert_eq!(idx.locate("services[0].auto_scaling.min_capacity").1, Some((4, 1)));
        assert_eq!(idx.locate("simulation.name").1, Some((2, 1)));
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("desird_count", ["desired_count", "name"]), Some("desired_count"));
        assert_eq!(did_you_mean("zzz", ["desired_count", "name"]), None);
        let m = improve_serde_message("unknown field `desird_count`, expected one of `name`, `desired_count`");
        assert!(m.ends_with("did you mean `desired_count`?"), "{m}");
    }

    #[test]
    fn display_formats_file_line_col_path() {
        let d = Diagnostics {
            file: "s.toml".into(),
            problems: vec![
                Problem { path: "services[web].desired_count".into(), line_col: Some((6, 17)), message: "bad".into() },
                Problem { path: String::new(), line_col: None, message: "empty".into() },
            ],
            values_ok: false,
        };
        assert_eq!(d.to_string(), "s.toml:6:17: services[web].desired_count: bad\ns.toml: empty");
    }
}
