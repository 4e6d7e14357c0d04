//! Cost, worked out by hand from the prices in docs/aws-facts.md §7.

use crate::assert_close;
use crate::common::{fig, header, run, scenario};

const FARGATE_0_25_VCPU_0_5_GB_HOUR: f64 = 0.25 * 0.04048 + 0.5 * 0.004445; // 0.0123425 $/h

fn fargate_service(kind: &str, extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"P\"\nkind = \"{kind}\"\nprovisioning_time = \"5s\"\n{extra}\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\nstartup_time = \"5s\"\nstop_timeout = \"10s\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 4\n",
        header("2h", &["a", "b", "c"])
    )
}

#[test]
fn fargate_tasks_cost_vcpu_and_gb_hours() {
    // 4 tasks × 0.0123425 $/h × 2 h = 0.09874 $.
    let s = run(&scenario(&fargate_service("fargate", "")));
    assert_close!(fig(&s, "cost.total_usd"), 4.0 * FARGATE_0_25_VCPU_0_5_GB_HOUR * 2.0, 1e-12);
    assert_close!(fig(&s, "cost.by_provider.P"), 0.09874, 1e-12);
    assert_close!(fig(&s, "cost.by_service.s"), 0.09874, 1e-9);
    assert_close!(fig(&s, "tasks.task_hours.P"), 8.0, 1e-12);
    assert_close!(fig(&s, "services.s.tasks.task_hours.P"), 8.0, 1e-12);
}

#[test]
fn fargate_spot_is_priced_at_its_discount() {
    let text =
        fargate_service("fargate_spot", "") + "[spot.fargate]\ndiscount = 0.7\ninterruption_frequency = \"0%\"\n";
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 0.3 * 0.09874, 1e-12);
}

#[test]
fn fargate_bills_at_least_one_minute() {
    // Cold start: provisioning 5 s, PENDING (billed) from 5 s, RUNNING at 10 s; desired 0 at 30 s;
    // no load balancer, so SIGTERM at once and STOPPED after the 10 s stop timeout, at 40 s:
    // 35 s of use, billed as 60 s.
    let text = fargate_service("fargate", "")
        .replace("desired_count = 4", "desired_count = 1")
        .replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n")
        + "\n[[events]]\nat = \"30s\"\nkind = \"set_desired_count\"\nservice = \"s\"\ndesired_count = 0\n";
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), FARGATE_0_25_VCPU_0_5_GB_HOUR * 60.0 / 3600.0, 1e-12);
    assert_close!(fig(&s, "tasks.task_hours.P"), 35.0 / 3600.0, 1e-12);
    assert_close!(fig(&s, "services.s.tasks.task_hours.P"), 35.0 / 3600.0, 1e-12);
}

fn ec2_fleet(lifecycle: &str, extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nlifecycle = \"{lifecycle}\"\nmin_size = 3\nmax_size = 3\n{extra}\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1000\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("10h", &["a", "b", "c"])
    )
}

#[test]
fn on_demand_fleet_costs_its_list_price() {
    // 3 × m5.large × 0.096 $/h × 10 h.
    let s = run(&scenario(&ec2_fleet("on-demand", "")));
    assert_close!(fig(&s, "cost.total_usd"), 2.88, 1e-12);
    assert_close!(fig(&s, "cost.unallocated_usd"), 2.88, 1e-12);
    assert_close!(fig(&s, "instances.instance_hours.E"), 30.0, 1e-12);
}

#[test]
fn scenario_instance_types_override_and_extend_the_catalog() {
    // Overriding m5.large's price: 3 × 1.0 $/h × 10 h.
    let priced = ec2_fleet("on-demand", "") + "[[instance_types]]\nname = \"m5.large\"\non_demand_hourly = 1.0\n";
    assert_close!(fig(&run(&scenario(&priced)), "cost.total_usd"), 30.0, 1e-12);
    // A type the catalog lacks: 3 × 0.5 $/h × 10 h; its 4 vCPU hold 8 tasks of 512 CPU units.
    let new_type = ec2_fleet("on-demand", "")
        .replace("\"m5.large\"", "\"x9.big\"")
        .replace("desired_count = 0", "desired_count = 24")
        + "[[instance_types]]\nname = \"x9.big\"\nvcpu = 4\nmemory_mib = 16384\nmax_enis = 4\non_demand_hourly = 0.5\n";
    let sc = scenario(&new_type);
    let s = run(&sc);
    assert_close!(fig(&s, "cost.total_usd"), 15.0, 1e-12);
    assert_close!(fig(&s, "services.s.tasks.task_hours.E"), 240.0, 1e-9);
    assert_eq!(sc.instance_types.iter().filter(|t| t.name == "x9.big").count(), 1);
}

#[test]
fn spot_fleet_costs_on_demand_minus_discount() {
    let text = ec2_fleet("spot", "") + "[spot]\ndiscount = 0.65\ninterruption_frequency = \"0%\"\n";
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 3.0 * 0.096 * 0.35 * 10.0, 1e-12);
}

#[test]
fn reserved_instances_cover_matching_on_demand_usage() {
    // One reservation at 0.06 $/h covers one of three instances: 2 × 0.096 × 10 + 0.06 × 10.
    let one = ec2_fleet("on-demand", "")
        + "[[reserved_instances]]\ninstance_type = \"m5.large\"\ncount = 1\neffective_hourly = 0.06\n";
    let s = run(&scenario(&one));
    assert_close!(fig(&s, "cost.total_usd"), 2.52, 1e-12);
    assert_close!(fig(&s, "cost.reserved_unused_usd"), 0.0, 1e-12);
    // Four reservations for three instances: all three covered, one reservation idle.
    let four = one.replace("count = 1", "count = 4");
    let s = run(&scenario(&four));
    assert_close!(fig(&s, "cost.total_usd"), 2.4, 1e-12);
    assert_close!(fig(&s, "cost.reserved_unused_usd"), 0.6, 1e-12);
    assert_close!(fig(&s, "cost.by_provider.E"), 1.8, 1e-12);
    // Spot instances are never covered.
    let spot =
        four.replace("lifecycle = \"on-demand\"", "lifecycle = \"spot\"") + "[spot]\ninterruption_frequency = \"0%\"\n";
    let s = run(&scenario(&spot));
    assert_close!(fig(&s, "cost.reserved_unused_usd"), 2.4, 1e-12);
}

#[test]
fn ec2_bills_at_least_sixty_seconds() {
    // One zone; the instance launched at 0 dies in a zone outage at 30 s (billed 60 s); its
    // replacement launches when the zone returns at 3630 s and runs to 7200 s.
    let text = format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 1\nmax_size = 1\nlaunch_time = \"10s\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1000\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n\
         [[events]]\nat = \"30s\"\nkind = \"az_outage\"\nzone = \"us-east-1a\"\nduration = \"1h\"\n",
        header("2h", &["a"]).replace("seed = 1\n", "seed = 1\ninitial_state = \"cold\"\n")
    );
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), (60.0 + 3570.0) / 3600.0 * 0.096, 1e-12);
    assert_close!(fig(&s, "instances.launched"), 2.0, 0.0);
}

#[test]
fn services_pay_their_reserved_share_of_instances() {
    // One m5.large (2048 CPU units, 7985 MiB registered) running one task of 512 units and 1000 MiB:
    // the service pays half by CPU share and half by memory share of the instance's price.
    let text = ec2_fleet("on-demand", "")
        .replace("min_size = 3\nmax_size = 3", "min_size = 1\nmax_size = 1")
        .replace("desired_count = 0", "desired_count = 1");
    let s = run(&scenario(&text));
    let share = 0.5 * 512.0 / 2048.0 + 0.5 * 1000.0 / 7985.0;
    assert_close!(fig(&s, "cost.by_service.s"), share * 0.96, 1e-9);
    assert_close!(fig(&s, "cost.unallocated_usd"), (1.0 - share) * 0.96, 1e-9);
    assert_close!(fig(&s, "cost.by_service.s") + fig(&s, "cost.unallocated_usd"), fig(&s, "cost.total_usd"), 1e-12);
}

#[test]
fn listed_regions_price_compute_at_their_own_figures() {
    // eu-west-1: m5.large 0.107 $/h (docs/aws-facts.md §16.1): 3 × 0.107 × 10 h = 3.21 $.
    let s = run(&scenario(&ec2_fleet("on-demand", "").replace("us-east-1", "eu-west-1")));
    assert_close!(fig(&s, "cost.total_usd"), 3.0 * 0.107 * 10.0, 1e-12);
    // ap-northeast-1: 0.124 $/h: 3.72 $.
    let s = run(&scenario(&ec2_fleet("on-demand", "").replace("us-east-1", "ap-northeast-1")));
    assert_close!(fig(&s, "cost.total_usd"), 3.0 * 0.124 * 10.0, 1e-12);
    // t4g.large in eu-west-1, a row read in the second round: 0.0736 $/h: 3 × 0.0736 × 10 h = 2.208 $.
    let t4g = ec2_fleet("on-demand", "").replace("us-east-1", "eu-west-1").replace("m5.large", "t4g.large");
    assert_close!(fig(&run(&scenario(&t4g)), "cost.total_usd"), 3.0 * 0.0736 * 10.0, 1e-12);
    // eu-central-1 Fargate: 0.25 × 0.04656 + 0.5 × 0.00511 = 0.014195 $/h; 4 tasks × 2 h = 0.11356 $.
    let s = run(&scenario(&fargate_service("fargate", "").replace("us-east-1", "eu-central-1")));
    assert_close!(fig(&s, "cost.total_usd"), 4.0 * (0.25 * 0.04656 + 0.5 * 0.00511) * 2.0, 1e-12);
    // arm64 Fargate in eu-central-1 (§16.7): 0.25 × 0.03725 + 0.5 × 0.00409 = 0.0113575 $/h;
    // 4 tasks × 2 h = 0.09086 $.
    let arm = fargate_service("fargate", "")
        .replace("us-east-1", "eu-central-1")
        .replace("network_mode = \"awsvpc\"\n", "network_mode = \"awsvpc\"\ncpu_architecture = \"arm64\"\n");
    assert_close!(fig(&run(&scenario(&arm)), "cost.total_usd"), 0.09086, 1e-12);
}

#[test]
fn compute_without_a_confirmed_price_is_an_error_never_another_regions_price() {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let err = |text: &str| match ecsim::scenario::load_str(text, "t.toml", base) {
        Ok(_) => panic!("loaded without a price"),
        Err(d) => d.to_string(),
    };
    // An unlisted region: the EC2 type and Fargate both need prices.
    let e = err(&ec2_fleet("on-demand", "").replace("us-east-1", "sa-east-1"));
    assert!(e.contains("capacity_providers[E].instance_types[0]: \"m5.large\" has no on-demand price"), "{e}");
    assert!(e.contains("region \"sa-east-1\" has no built-in prices (listed: us-east-1, us-west-2"), "{e}");
    // A listed region without a confirmed figure for an item (cross-zone transfer in eu-west-1,
    // docs/aws-facts.md §16.4) asks for that price, never borrows us-east-1's.
    let transfer = "[cost]\ndata_transfer = true\n".to_string()
        + &fargate_service("fargate", "").replace("us-east-1", "eu-west-1");
    let e = err(&transfer);
    assert!(e.contains("region \"eu-west-1\" has no confirmed built-in price for this"), "{e}");
    assert!(e.contains("give cost.prices.cross_az_per_gb_each_way"), "{e}");
    // Given prices are used: 3 × 0.2 $/h × 10 h.
    let given = ec2_fleet("on-demand", "").replace("us-east-1", "sa-east-1")
        + "[[instance_types]]\nname = \"m5.large\"\non_demand_hourly = 0.2\n";
    let s = run(&scenario(&given));
    assert_close!(fig(&s, "cost.total_usd"), 6.0, 1e-12);
}
