//! The unit of a figure, read from its name: `summary.json` puts units in
//! key suffixes (`total_usd`, `p99_ms`, `duration_s`).

/// Key suffixes and the unit each stands for.
const SUFFIXES: [(&str, &str); 6] =
    [("_usd", "USD"), ("_ms", "ms"), ("_s", "s"), ("_hours", "h"), ("_minutes", "min"), ("_percent", "pp")];

/// Maps whose keys are names from the scenario (providers, services,
/// policies): their entries take the map's unit, since a name is no unit.
const NAME_MAPS: [&str; 5] = ["by_provider", "by_service", "by_policy", "task_hours", "instance_hours"];

/// The unit of a dotted figure name, `None` for counts and fractions.
///
/// The unit is the suffix of the figure's own key; for an entry of a map
/// keyed by names (`cost.by_provider.<provider>`,
/// `tasks.task_hours.<provider>`) it is the map's, and the maps under `cost`
/// are in USD. A `_percent` figure changes by percentage points (`pp`).
pub fn unit(metric: &str) -> Option<&'static str> {
    let keys: Vec<&str> = metric.split('.').collect();
    let (last, parents) = keys.split_last()?;
    let key = match parents.last() {
        Some(parent) if NAME_MAPS.contains(parent) => {
            if keys.first() == Some(&"cost") {
                return Some("USD");
            }
            *parent
        }
        _ => *last,
    };
    SUFFIXES.iter().find(|(suffix, _)| key.ends_with(suffix)).map(|(_, unit)| *unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_key_or_its_name_map() {
        assert_eq!(unit("cost.total_usd"), Some("USD"));
        assert_eq!(unit("cost.by_provider.FARGATE"), Some("USD"));
        assert_eq!(unit("cost.by_service.web"), Some("USD"));
        assert_eq!(unit("services.web.cost_usd"), Some("USD"));
        assert_eq!(unit("latency.p99_ms"), Some("ms"));
        assert_eq!(unit("deployments.web.duration_s"), Some("s"));
        assert_eq!(unit("tasks.task_hours.FARGATE"), Some("h"));
        assert_eq!(unit("instances.instance_hours.ec2"), Some("h"));
        assert_eq!(unit("slo.violation_minutes"), Some("min"));
        assert_eq!(unit("services.web.scaling.cpu_target_percent"), Some("pp"));
        // A service named like a unit does not lend its name: the key decides.
        assert_eq!(unit("services.api_ms.requests.total"), None);
        // A policy's action count under by_policy is a count.
        assert_eq!(unit("services.web.scaling.by_policy.cpu_s"), None);
        assert_eq!(unit("requests.availability"), None);
        assert_eq!(unit("scaling.actions"), None);
    }
}
