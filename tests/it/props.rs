//! Property tests: random valid scenarios keep the model's invariants, and
//! the parser takes arbitrary bytes without panicking.

use crate::common::opts;
use ecsim::model::record::NullSink;
use ecsim::model::simulate;
use ecsim::scenario::load_str;
use proptest::prelude::*;
use std::fmt::Write;
use std::path::Path;

/// A random but valid scenario: providers, services with policies and load,
/// spot markets, batch and scripted events, over a few hours.
#[derive(Debug, Clone)]
struct Spec {
    hours: u32,
    seed: u64,
    asg: Vec<(u8, u32, u32, bool, bool, bool, u8)>, // lifecycle, min, max, managed, draining, protection, spot-draining
    fargate_spot: bool,
    services: Vec<(u32, u16, bool, bool, u8, u32, u8)>, // desired, cpu sel, on fargate, lb, policy kind, rate, placement kind
    events: Vec<(u32, u8, u32)>,                        // minute, kind, amount
    batch: bool,
    interruption: u8,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        1u32..5,
        any::<u64>(),
        prop::collection::vec((0u8..3, 0u32..3, 1u32..6, any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3), 1..3),
        any::<bool>(),
        prop::collection::vec((0u32..6, 0u16..3, any::<bool>(), any::<bool>(), 0u8..3, 0u32..400, 0u8..7), 1..4),
        prop::collection::vec((1u32..200, 0u8..4, 0u32..5), 0..4),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(|(hours, seed, asg, fargate_spot, services, events, batch, interruption)| Spec {
            hours,
            seed,
            asg,
            fargate_spot,
            services,
            events,
            batch,
            interruption,
        })
}

fn render(s: &Spec) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "[simulation]\nname = \"prop\"\nstart = \"2026-03-02T00:00:00Z\"\nduration = \"{}h\"\nseed = {}\nwarmup = \"{}m\"\n",
        s.hours,
        s.seed % 1000,
        (s.seed / 1000 % 3) * 20
    );
    let bands = ["0%", "5-10%", ">20%", "99%"];
    let _ = writeln!(
        t,
        "[spot]\ninterruption_frequency = \"{}\"\nlaunch_failure_probability = 0.2\n[[spot.reclaim_events]]\nrate_per_month = 200\nfraction = 0.5\n[spot.fargate]\ninterruption_frequency = \"{}\"\nunavailable_probability = 0.2\n",
        bands[s.interruption as usize], bands[s.interruption as usize]
    );
    let lifecycles = ["on-demand", "spot", "mixed"];
    for (k, (lc, min, max, managed, draining, protection, spot_draining)) in s.asg.iter().enumerate() {
        let max = (*max).max(*min).max(1);
        let _ = writeln!(
            t,
            "[[capacity_providers]]\nname = \"asg{k}\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\", \"c5.large\"]\nlifecycle = \"{}\"\nmin_size = {min}\nmax_size = {max}\nlaunch_time = {{ dist = \"uniform\", min = \"30s\", max = \"120s\" }}\nmanaged_draining = \"{}\"\nmanaged_termination_protection = \"{}\"\nenable_spot_draining = {}",
            lifecycles[*lc as usize],
            if *draining { "ENABLED" } else { "DISABLED" },
            if *protection && *managed { "ENABLED" } else { "DISABLED" },
            *spot_draining == 1
        );
        if *managed {
            let _ = writeln!(
                t,
                "[capacity_providers.managed_scaling]\ntarget_capacity = {}\nmaximum_scaling_step_size = 3\ninstance_warmup_period = \"120s\"",
                60 + 10 * k
            );
        }
        t.push('\n');
    }
    let _ = writeln!(t, "[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\nmax_vcpu = 8\n");
    if s.fargate_spot {
        let _ = writeln!(t, "[[capacity_providers]]\nname = \"FARGATE_SPOT\"\nkind = \"fargate_spot\"\n");
    }
    let cpus = [(256, 512), (512, 1024), (1024, 2048)];
    for (k, (cpu, mem)) in cpus.iter().enumerate() {
        let _ = writeln!(
            t,
            "[[task_definitions]]\nfamily = \"f{k}\"\ncpu = {cpu}\nmemory = {mem}\nnetwork_mode = \"awsvpc\"\nstartup_time = {{ dist = \"exponential\", mean = \"15s\" }}\nstop_timeout = \"20s\"\n"
        );
        // Slow starters (behind a load balancer only): some fail their first checks.
        let _ = writeln!(
            t,
            "[[task_definitions]]\nfamily = \"w{k}\"\ncpu = {cpu}\nmemory = {mem}\nnetwork_mode = \"awsvpc\"\nwarmup_time = {{ dist = \"exponential\", mean = \"30s\" }}\nstop_timeout = \"20s\"\n"
        );
        let _ = writeln!(
            t,
            "[[task_definitions]]\nfamily = \"x{k}\"\ncpu = {cpu}\nmemory = {mem}\nnetwork_mode = \"bridge\"\nport_mappings = [{{ container_port = 80, host_port = {} }}]\nwarmup_time = {{ dist = \"exponential\", mean = \"30s\" }}\n",
            if k == 2 { 8080 } else { 0 }
        );
        let _ = writeln!(
            t,
            "[[task_definitions]]\nfamily = \"b{k}\"\ncpu = {cpu}\nmemory = {mem}\nnetwork_mode = \"bridge\"\nport_mappings = [{{ container_port = 80, host_port = {} }}]\n",
            if k == 2 { 8080 } else { 0 }
        );
    }
    for (k, (desired, cpu, fargate, lb, policy, rate, placement)) in s.services.iter().enumerate() {
        let family = match (*fargate, *lb && k % 2 == 0) {
            (true, true) => format!("w{cpu}"),
            (true, false) => format!("f{cpu}"),
            (false, true) => format!("x{cpu}"),
            (false, false) => format!("b{cpu}"),
        };
        let _ = writeln!(t, "[[services]]\nname = \"s{k}\"\ntask_definition = \"{family}\"\ndesired_count = {desired}");
        if *lb {
            let _ = writeln!(t, "health_check_grace_period = \"{}\"", ["0s", "30s", "120s"][k % 3]);
        }
        if *fargate {
            if s.fargate_spot {
                let _ = writeln!(
                    t,
                    "capacity_provider_strategy = [{{ capacity_provider = \"FARGATE\", base = 1, weight = 1 }}, {{ capacity_provider = \"FARGATE_SPOT\", weight = 2 }}]"
                );
            } else {
                let _ = writeln!(t, "capacity_provider_strategy = [{{ capacity_provider = \"FARGATE\", weight = 1 }}]");
            }
        } else {
            let items: Vec<String> =
                (0..s.asg.len()).map(|a| format!("{{ capacity_provider = \"asg{a}\", weight = {} }}", a + 1)).collect();
            let _ = writeln!(t, "capacity_provider_strategy = [{}]", items.join(", "));
            let strategies = [
                "",
                "placement_strategy = [{ type = \"binpack\", field = \"memory\" }]",
                "placement_strategy = [{ type = \"spread\", field = \"attribute:ecs.availability-zone\" }, { type = \"random\" }]",
                "placement_constraints = [{ type = \"distinctInstance\" }]",
                "placement_strategy = [{ type = \"spread\", field = \"attribute:ecs.availability-zone\" }]",
                "placement_strategy = [{ type = \"binpack\", field = \"cpu\" }]\nplacement_constraints = [{ type = \"memberOf\", expression = \"attribute:ecs.instance-type == m5.large\" }]",
                "placement_strategy = [{ type = \"spread\", field = \"instanceId\" }]",
            ];
            let _ = writeln!(t, "{}", strategies[*placement as usize]);
        }
        let _ = writeln!(
            t,
            "[services.deployment_configuration]\nminimum_healthy_percent = {}\nmaximum_percent = 200",
            [100, 50, 0][(k + *placement as usize) % 3]
        );
        if *lb {
            let _ = writeln!(
                t,
                "[services.load_balancer]\nderegistration_delay = \"60s\"\nhealth_check_interval = \"10s\"\nhealthy_threshold = 2"
            );
        } else {
            let _ = writeln!(t, "[services.service_discovery]\ndns_ttl = \"30s\"");
        }
        let _ = writeln!(
            t,
            "[services.workload]\nrate = {{ pattern = \"diurnal\", base = {}, peak = {}, noise = 0.1 }}\nspikes = [{{ at = \"40m\", multiplier = 4, ramp = \"2m\", hold = \"10m\" }}]\ncpu_per_request = \"5ms\"\nrequest_timeout = \"10s\"\nslo = {{ latency_p99 = \"200ms\" }}",
            rate / 4,
            rate
        );
        if k > 0 {
            let _ = writeln!(
                t,
                "[[services.calls]]\nservice = \"s{}\"\nper_request = 0.5\nvia = \"service_connect\"",
                k - 1
            );
        }
        if *policy > 0 {
            let _ = writeln!(t, "[services.auto_scaling]\nmin_capacity = 1\nmax_capacity = 8");
            if *policy == 1 {
                let _ = writeln!(
                    t,
                    "[[services.auto_scaling.target_tracking]]\nname = \"cpu\"\npredefined_metric = \"ECSServiceAverageCPUUtilization\"\ntarget_value = 50\nscale_out_cooldown = \"60s\"\nscale_in_cooldown = \"120s\""
                );
            } else {
                let _ = writeln!(
                    t,
                    "[[services.auto_scaling.step_scaling]]\nname = \"up\"\nmetric = \"ECSServiceAverageCPUUtilization\"\ncomparison = \"GreaterThanOrEqualToThreshold\"\nthreshold = 70\nevaluation_periods = 2\nadjustment_type = \"PercentChangeInCapacity\"\nmin_adjustment_magnitude = 1\ncooldown = \"60s\"\nsteps = [{{ lower = 0, adjustment = 50 }}]\n[[services.auto_scaling.step_scaling]]\nname = \"down\"\nmetric = \"ECSServiceAverageCPUUtilization\"\ncomparison = \"LessThanThreshold\"\nthreshold = 20\nevaluation_periods = 5\nadjustment_type = \"ChangeInCapacity\"\nsteps = [{{ upper = 0, adjustment = -1 }}]"
                );
            }
            let _ = writeln!(
                t,
                "[[services.auto_scaling.scheduled]]\nname = \"floor\"\nschedule = \"rate(1 hour)\"\nmin_capacity = 2"
            );
        }
        t.push('\n');
    }
    if s.batch {
        let _ = writeln!(
            t,
            "[[scheduled_tasks]]\nname = \"job\"\ntask_definition = \"f1\"\nschedule = \"rate(30 minutes)\"\ncount = 3\nduration = {{ dist = \"lognormal\", median = \"5m\", p95 = \"20m\" }}\ncapacity_provider_strategy = [{{ capacity_provider = \"FARGATE\", weight = 1 }}]\nmax_attempts = 2\n"
        );
    }
    let horizon = s.hours * 60;
    for (minute, kind, amount) in &s.events {
        let at = minute % horizon.max(2);
        let at = at.max(1);
        let line = match kind {
            0 => format!("kind = \"az_outage\"\nzone = \"us-east-1b\"\nduration = \"{}m\"", 5 + amount * 10),
            1 => format!("kind = \"set_desired_count\"\nservice = \"s0\"\ndesired_count = {amount}"),
            2 => format!("kind = \"kill_instances\"\ncapacity_provider = \"asg0\"\ncount = {amount}"),
            _ => {
                let target = if s.services[0].2 {
                    let slow = if s.services[0].3 { "w" } else { "f" };
                    format!("{slow}{}", (s.services[0].1 + 1) % 3)
                } else {
                    format!("b{}", (s.services[0].1 + 1) % 2)
                };
                format!("kind = \"deploy\"\nservice = \"s0\"\ntask_definition = \"{target}\"")
            }
        };
        let _ = writeln!(t, "[[events]]\nat = \"{at}m\"\n{line}\n");
    }
    t
}

/// Cases per property unless `ECSIM_PROP_CASES` says otherwise. Each run draws
/// new cases, so coverage accumulates over runs; 64 keep the README's test
/// command short: the three properties take 20 s on one idle core in a release
/// build (256 took about 80 s, the longest test of the suite). For a deeper
/// search: `ECSIM_PROP_CASES=1024 cargo test --release --test it props::`.
const DEFAULT_CASES: u32 = 64;

fn cases() -> u32 {
    std::env::var("ECSIM_PROP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_scenarios_keep_every_invariant_and_rerun_identically(s in spec()) {
        let text = render(&s);
        let sc = match load_str(&text, "prop.toml", Path::new(".")) {
            Ok(sc) => sc,
            Err(d) => panic!("generated scenario is invalid:\n{d}\n---\n{text}"),
        };
        let first = simulate(&sc, 0, opts(), Box::new(NullSink)).unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        let again = simulate(&sc, 0, opts(), Box::new(NullSink)).unwrap();
        prop_assert_eq!(&first.summary, &again.summary);
        let f = ecsim::report::flatten(&first.summary);
        for (k, v) in &f {
            if let Some(v) = v {
                prop_assert!(v.is_finite(), "{} is {}", k, v);
                if k.starts_with("cost.") && k != "cost.unallocated_usd" {
                    prop_assert!(*v >= -1e-9, "{} is negative: {}", k, v);
                }
            }
        }
        let total = f["requests.total"].unwrap_or(0.0);
        let served = f["requests.served"].unwrap_or(0.0);
        prop_assert!(served <= total * (1.0 + 1e-9) + 1e-6, "served {} > offered {}", served, total);
        let cost = f["cost.total_usd"].unwrap_or(0.0);
        let parts: f64 = f.iter().filter(|(k, _)| k.starts_with("cost.by_provider.")).map(|(_, v)| v.unwrap_or(0.0)).sum::<f64>()
            + f["cost.reserved_unused_usd"].unwrap_or(0.0);
        prop_assert!((cost - parts).abs() <= 1e-9 * cost.max(1.0), "cost {} != providers {}", cost, parts);
        // Task conservation, from the outputs alone.
        let stopped: f64 = f.iter().filter(|(k, _)| k.starts_with("tasks.stopped.")).map(|(_, v)| v.unwrap_or(0.0)).sum();
        let (start, started, end) = (f["tasks.active_at_start"].unwrap_or(-1.0), f["tasks.started"].unwrap_or(-1.0), f["tasks.active_at_end"].unwrap_or(-1.0));
        prop_assert_eq!(start + started, stopped + end, "active at start + started != stopped + active at end");
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = load_str(&text, "fuzz.toml", Path::new("."));
    }

    #[test]
    fn the_parser_never_panics_on_mutations_of_the_reference(cut in 0usize..9000, len in 0usize..40, insert in "[\\[\\]{}=\"., a-z0-9\\n]{0,12}") {
        let reference = include_str!("../../scenarios/reference.toml");
        let mut bytes = reference.as_bytes().to_vec();
        let at = cut.min(bytes.len());
        let end = (at + len).min(bytes.len());
        bytes.splice(at..end, insert.bytes());
        if let Ok(text) = String::from_utf8(bytes) {
            let _ = load_str(&text, "mutant.toml", Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").as_path());
        }
    }
}
