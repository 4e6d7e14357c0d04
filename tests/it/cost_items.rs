//! Savings Plans and the items beyond compute (load balancers, public IPv4,
//! cross-zone transfer, storage), each against a figure worked by hand from
//! the prices in docs/aws-facts.md §7 and §13.

use crate::assert_close;
use crate::common::{fig, header, run, scenario};
use ecsim::scenario::load_str;
use std::path::Path;

/// 4 Fargate tasks of 0.25 vCPU / 0.5 GB: 4 × (0.25 × 0.04048 + 0.5 × 0.004445) = 0.04937 $/h.
const FOUR_TASKS_HOURLY: f64 = 0.04937;

fn fargate(extra: &str, service_extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"P\"\nkind = \"fargate\"\n{extra}\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 4\n{service_extra}\n",
        header("2h", &["a", "b", "c"])
    )
}

fn compute_plan(commitment: f64) -> String {
    format!("[[savings_plans]]\nkind = \"compute\"\ncommitment_per_hour = {commitment}\ndiscount = 0.2\n")
}

#[test]
fn a_savings_plan_hour_under_the_commitment_pays_all_of_it() {
    // Usage at the plan rate: 0.04937 × 0.8 = 0.039496 $/h, all covered; the 0.05 commitment is
    // paid in full, 0.010504 of it unused each hour. Two hours: 0.1 in all, nothing on-demand.
    let s = run(&scenario(&(fargate("", "") + &compute_plan(0.05))));
    assert_close!(fig(&s, "cost.total_usd"), 0.1, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.unused_usd"), 2.0 * 0.010504, 1e-9);
    assert_close!(fig(&s, "cost.savings_plans.covered_on_demand_usd"), 2.0 * FOUR_TASKS_HOURLY, 1e-12);
    assert_close!(fig(&s, "cost.by_item.savings_plan_commitment"), 0.1, 1e-12);
    assert!(fig(&s, "cost.by_item.compute").abs() < 1e-12);
    // The provider (and its service) pay the plan rate for what they used.
    assert_close!(fig(&s, "cost.by_provider.P"), 2.0 * 0.039496, 1e-12);
    assert_close!(fig(&s, "cost.by_service.s"), 2.0 * 0.039496, 1e-9);
}

#[test]
fn a_savings_plan_hour_at_the_commitment_uses_all_of_it() {
    // Commitment 0.039496 = the usage at the plan rate: covered exactly, nothing unused.
    let s = run(&scenario(&(fargate("", "") + &compute_plan(0.039496))));
    assert_close!(fig(&s, "cost.total_usd"), 2.0 * 0.039496, 1e-12);
    assert!(fig(&s, "cost.savings_plans.unused_usd").abs() < 1e-12);
    assert!(fig(&s, "cost.by_item.compute").abs() < 1e-12);
}

#[test]
fn a_savings_plan_hour_over_the_commitment_pays_the_rest_on_demand() {
    // Commitment 0.02 covers 0.02 / 0.8 = 0.025 of on-demand usage; 0.02437 stays on-demand:
    // 0.04437 $/h, 0.08874 over two hours, of which 0.04 commitment and 0.04874 compute.
    let s = run(&scenario(&(fargate("", "") + &compute_plan(0.02))));
    assert_close!(fig(&s, "cost.total_usd"), 0.08874, 1e-12);
    assert_close!(fig(&s, "cost.by_item.savings_plan_commitment"), 0.04, 1e-12);
    assert_close!(fig(&s, "cost.by_item.compute"), 0.04874, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.covered_on_demand_usd"), 0.05, 1e-12);
    // A 730-hour month of the same: 0.04437 × 730.
    assert_close!(fig(&s, "cost.monthly_usd"), 0.04437 * 730.0, 1e-12);
}

#[test]
fn spot_usage_is_not_covered_by_a_savings_plan() {
    let text = fargate("", "").replace("kind = \"fargate\"", "kind = \"fargate_spot\"")
        + "[spot.fargate]\ndiscount = 0.7\ninterruption_frequency = \"0%\"\n"
        + &compute_plan(0.05);
    let s = run(&scenario(&text));
    // Spot at 0.3 × 0.04937 plus the idle commitment 0.05, for two hours.
    assert_close!(fig(&s, "cost.total_usd"), 2.0 * (0.3 * FOUR_TASKS_HOURLY + 0.05), 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.unused_usd"), 0.1, 1e-12);
}

fn m5_fleet(extra: &str) -> String {
    format!(
        "{}[[capacity_providers]]\nname = \"E\"\nkind = \"ec2\"\ninstance_types = [\"m5.large\"]\nmin_size = 3\nmax_size = 3\n{extra}\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 512\nmemory = 1000\n\
         [[services]]\nname = \"s\"\ntask_definition = \"t\"\ndesired_count = 0\n",
        header("10h", &["a", "b", "c"])
    )
}

#[test]
fn reserved_instances_apply_before_savings_plans() {
    // Three m5.large (0.096 $/h); one reserved at 0.06; an m5 instance plan of 0.18 $/h at 25 % off
    // sees only the other two (0.192 $/h on-demand, 0.144 at its rate): all covered, 0.036 unused.
    // Each hour: 0.06 + 0.18 = 0.24; ten hours 2.4. (Applied before the reservation, the plan
    // would cover 0.24 of 0.288 and the hour would cost 0.192.)
    let text = m5_fleet("")
        + "[[reserved_instances]]\ninstance_type = \"m5.large\"\ncount = 1\neffective_hourly = 0.06\n\
           [[savings_plans]]\nkind = \"ec2_instance\"\nfamily = \"m5\"\ncommitment_per_hour = 0.18\ndiscount = 0.25\n";
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 2.4, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.unused_usd"), 0.36, 1e-9);
    // A plan for another family covers nothing: 3 × 0.096 − 0.036 (RI) per hour, plus 0.18 idle.
    let other = text.replace("family = \"m5\"", "family = \"c5\"");
    let s = run(&scenario(&other));
    assert_close!(fig(&s, "cost.total_usd"), 10.0 * (0.288 - 0.036 + 0.18), 1e-12);
}

fn catalog_plan(commitment: f64, term: u32, payment: &str) -> String {
    format!(
        "[[savings_plans]]\nkind = \"compute\"\ncommitment_per_hour = {commitment}\nterm = {term}\npayment = \"{payment}\"\n"
    )
}

#[test]
fn a_three_year_no_upfront_plan_charges_the_built_in_fargate_rates() {
    // Built-in 3-year no-upfront Compute Savings Plans rates, us-east-1 (aws-facts §16.8):
    // 0.022264 $/vCPU-h and 0.00244475 $/GB-h. Four 0.25 vCPU / 0.5 GB tasks at those rates:
    // 4 × (0.25 × 0.022264 + 0.5 × 0.00244475) = 4 × 0.006788375 = 0.0271535 $/h (0.55 × 0.04937).
    let plan_rate = 0.0271535;
    // Under: a 0.03 commitment is paid in full, 0.0028465 of it unused each hour.
    let s = run(&scenario(&(fargate("", "") + &catalog_plan(0.03, 3, "no_upfront"))));
    assert_close!(fig(&s, "cost.total_usd"), 0.06, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.unused_usd"), 2.0 * 0.0028465, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.covered_on_demand_usd"), 2.0 * FOUR_TASKS_HOURLY, 1e-12);
    assert!(fig(&s, "cost.by_item.compute").abs() < 1e-12);
    // At: a commitment equal to the usage at the plan rates covers it all, nothing unused.
    let s = run(&scenario(&(fargate("", "") + &catalog_plan(plan_rate, 3, "no_upfront"))));
    assert_close!(fig(&s, "cost.total_usd"), 2.0 * plan_rate, 1e-12);
    assert!(fig(&s, "cost.savings_plans.unused_usd").abs() < 1e-12);
    // Over: 0.011 covers 0.011 / 0.55 = 0.02 of on-demand usage; 0.04937 − 0.02 = 0.02937 stays
    // on-demand: 0.04037 $/h, 0.08074 over two hours (0.022 commitment, 0.05874 compute).
    let s = run(&scenario(&(fargate("", "") + &catalog_plan(0.011, 3, "no_upfront"))));
    assert_close!(fig(&s, "cost.total_usd"), 0.08074, 1e-12);
    assert_close!(fig(&s, "cost.by_item.savings_plan_commitment"), 0.022, 1e-12);
    assert_close!(fig(&s, "cost.by_item.compute"), 0.05874, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.covered_on_demand_usd"), 0.04, 1e-12);
}

#[test]
fn a_one_year_no_upfront_plan_charges_the_built_in_m7g_rate() {
    // Three m7g.large (0.0816 $/h on-demand; built-in 1-year no-upfront rate 0.0599 $/h) for ten
    // hours. A 0.1198 $/h commitment is two instances at the plan rate; the third stays
    // on-demand: 0.1198 + 0.0816 = 0.2014 $/h, 2.014 over ten hours.
    let text = m5_fleet("").replace("m5.large", "m7g.large") + &catalog_plan(0.1198, 1, "no_upfront");
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.total_usd"), 2.014, 1e-12);
    assert_close!(fig(&s, "cost.savings_plans.covered_on_demand_usd"), 10.0 * 0.1632, 1e-12);
    assert!(fig(&s, "cost.savings_plans.unused_usd").abs() < 1e-9);
}

#[test]
fn a_term_and_payment_without_a_built_in_rate_is_an_error_naming_what_exists() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let err = |text: &str| match load_str(text, "t.toml", base) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(d) => d.to_string(),
    };
    let built_in = "built in: us-east-1 1-year no_upfront: Fargate x86_64, m7g.large; \
                    us-east-1 3-year no_upfront: Fargate x86_64, m7g.large";
    // A payment option no source gave.
    let e = err(&(fargate("", "") + &catalog_plan(0.01, 1, "partial_upfront")));
    assert!(
        e.contains("no built-in 1-year partial_upfront Compute Savings Plans rate for Fargate x86_64 in us-east-1"),
        "{e}"
    );
    assert!(e.contains(built_in), "{e}");
    // An instance type no source gave.
    let e = err(&(m5_fleet("") + &catalog_plan(0.01, 3, "no_upfront")));
    assert!(e.contains("rate for m5.large in us-east-1"), "{e}");
    // Another region.
    let e = err(&(fargate("", "").replace("us-east-1", "eu-west-1") + &catalog_plan(0.01, 1, "no_upfront")));
    assert!(e.contains("rate for Fargate x86_64 in eu-west-1"), "{e}");
    // Exclusive with a stated discount; both halves needed; terms are 1 or 3 years.
    let e = err(&(fargate("", "") + &catalog_plan(0.01, 1, "no_upfront") + "discount = 0.3\n"));
    assert!(
        e.contains("savings_plans[0].discount: give either discount (and fargate_discount) or term and payment"),
        "{e}"
    );
    let e = err(&(fargate("", "") + &catalog_plan(0.01, 2, "no_upfront")));
    assert!(e.contains("savings_plans[0].term: 2 is not a Savings Plans term; expected 1 or 3 (years)"), "{e}");
    let e = err(&(fargate("", "") + "[[savings_plans]]\nkind = \"compute\"\ncommitment_per_hour = 1\nterm = 1\n"));
    assert!(e.contains("savings_plans[0].payment: term selects built-in rates together with payment"), "{e}");
    // No built-in EC2 Instance Savings Plans rates.
    let e = err(&(m5_fleet("")
        + "[[savings_plans]]\nkind = \"ec2_instance\"\nfamily = \"m5\"\ncommitment_per_hour = 1\nterm = 1\npayment = \"no_upfront\"\n"));
    assert!(e.contains("ecsim has no built-in EC2 Instance Savings Plans rates"), "{e}");
}

/// Two Fargate services of two tasks, each 1 request/s of 1 MiB (request + response).
fn two_services(lb_a: &str, lb_b: &str) -> String {
    let service = |name: &str, lb: &str| {
        format!(
            "[[services]]\nname = \"{name}\"\ntask_definition = \"t\"\ndesired_count = 2\n\
             [services.load_balancer]\n{lb}\n\
             [services.workload]\nrate = {{ pattern = \"constant\", value = 1 }}\ncpu_per_request = \"1ms\"\n\
             request_bytes = 0\nresponse_bytes = 1048576\n"
        )
    };
    format!(
        "{}[cost]\nload_balancers = true\n\
         [[capacity_providers]]\nname = \"P\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n{}{}",
        header("2h", &["a", "b", "c"]),
        service("a", lb_a),
        service("b", lb_b)
    )
}

#[test]
fn load_balancers_cost_hours_and_capacity_units_and_can_be_shared() {
    // 1 request/s of 1 MiB = 3600 × 2^20 B/h = 3.515625 GB/h: 3.515625 LCU, the largest
    // dimension (new connections 1/25 = 0.04). At 0.008 $/LCU-h that is 0.028125 $/h.
    // One ALB each: 2 × (0.0225 + 0.028125) = 0.10125 $/h; two hours 0.2025.
    let own = run(&scenario(&two_services("", "")));
    assert_close!(fig(&own, "cost.by_item.load_balancer"), 0.2025, 1e-9);
    assert_close!(fig(&own, "cost.by_service.a") - fig(&own, "cost.by_service.b"), 0.0, 1e-9);
    // One shared ALB: 0.0225 + 7.03125 × 0.008 = 0.07875 $/h; two hours 0.1575, half each.
    let shared = run(&scenario(&two_services("name = \"front\"", "name = \"front\"")));
    assert_close!(fig(&shared, "cost.by_item.load_balancer"), 0.1575, 1e-9);
    let compute_a = fig(&shared, "cost.by_service.a") - 0.1575 / 2.0;
    assert_close!(compute_a, 2.0 * 2.0 * (0.25 * 0.04048 + 0.5 * 0.004445), 1e-9);
    assert_close!(fig(&shared, "cost.total_usd") - fig(&own, "cost.total_usd"), 0.1575 - 0.2025, 1e-9);
}

#[test]
fn listed_regions_charge_their_own_load_balancer_prices() {
    // eu-west-1 (docs/aws-facts.md §16.2): 0.0252 $/ALB-h, 0.008 $/LCU-h. Each service's own ALB
    // processes 3.515625 GB/h (the test above): 0.0252 + 3.515625 × 0.008 = 0.053325 $/h;
    // two ALBs for 2 h: 0.2133.
    let ireland = two_services("", "").replace("us-east-1", "eu-west-1");
    assert_close!(fig(&run(&scenario(&ireland)), "cost.by_item.load_balancer"), 0.2133, 1e-9);
    // ap-southeast-1 NLBs: 0.0252 $/h and 0.006 $/NLCU-h; 3.515625 GB/h is 3.515625 NLCU (1 GB
    // each; new connections 1/800): 0.0252 + 0.02109375 = 0.04629375 $/h; two for 2 h: 0.185175.
    let nlb = two_services("kind = \"nlb\"", "kind = \"nlb\"").replace("us-east-1", "ap-southeast-1");
    assert_close!(fig(&run(&scenario(&nlb)), "cost.by_item.load_balancer"), 0.185175, 1e-9);
    // eu-central-1: one shared ALB at 0.027 $/h with 7.03125 LCU: 0.08325 $/h; 2 h: 0.1665.
    let shared = two_services("name = \"front\"", "name = \"front\"").replace("us-east-1", "eu-central-1");
    assert_close!(fig(&run(&scenario(&shared)), "cost.by_item.load_balancer"), 0.1665, 1e-9);
}

#[test]
fn listed_regions_charge_their_own_storage_prices() {
    // eu-central-1 gp3 at 0.0952 $/GB-month (§16.5): three 30 GiB root volumes for 10 h of a
    // 730 h month: 3 × 30 × 0.0952 × 10 / 730 = 85.68 / 730.
    let text = "[cost]\nstorage = true\n".to_string() + &m5_fleet("").replace("us-east-1", "eu-central-1");
    assert_close!(fig(&run(&scenario(&text)), "cost.by_item.storage"), 85.68 / 730.0, 1e-12);
    // ap-northeast-1 gp2 at 0.12: 3 × 100 × 0.12 × 10 / 730 = 360 / 730.
    let gp2 = "[cost]\nstorage = true\n".to_string()
        + &m5_fleet("root_volume_gib = 100\nroot_volume_type = \"gp2\"").replace("us-east-1", "ap-northeast-1");
    assert_close!(fig(&run(&scenario(&gp2)), "cost.by_item.storage"), 360.0 / 730.0, 1e-12);
    // eu-west-1 Fargate ephemeral storage at 0.000122 $/GB-h (§16.7): 30 GiB above the free 20,
    // 4 tasks, 2 h: 30 × 0.000122 × 8 = 0.02928.
    let disk = "[cost]\nstorage = true\n".to_string()
        + &fargate("", "")
            .replace("network_mode = \"awsvpc\"", "network_mode = \"awsvpc\"\nephemeral_storage_gib = 50")
            .replace("us-east-1", "eu-west-1");
    assert_close!(fig(&run(&scenario(&disk)), "cost.by_item.storage"), 0.02928, 1e-12);
}

#[test]
fn calls_across_zones_pay_transfer_both_ways() {
    // web (3 tasks, one per zone) calls api (3 tasks, one per zone) once per request, 1 req/s;
    // a call and its answer are 1 MiB: 3.515625 GB/h, of which 1 − 3 × (1/3)² = 2/3 crosses
    // zones: 2.34375 GB/h × 0.01 $ out × 2 sides = 0.046875 $/h; two hours 0.09375, to web.
    let text = format!(
        "{}[cost]\ndata_transfer = true\n\
         [[capacity_providers]]\nname = \"P\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
         [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = 3\n\
         [services.workload]\nrate = {{ pattern = \"constant\", value = 1 }}\ncpu_per_request = \"1ms\"\n\
         [[services.calls]]\nservice = \"api\"\nper_request = 1.0\nvia = \"service_connect\"\n\
         [[services]]\nname = \"api\"\ntask_definition = \"t\"\ndesired_count = 3\n\
         [services.workload]\ncpu_per_request = \"1ms\"\nrequest_bytes = 0\nresponse_bytes = 1048576\n",
        header("2h", &["a", "b", "c"])
    );
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.by_item.data_transfer"), 0.09375, 1e-9);
    let compute_web = 2.0 * 3.0 * (0.25 * 0.04048 + 0.5 * 0.004445);
    assert_close!(fig(&s, "cost.by_service.web"), compute_web + 0.09375, 1e-9);
    // In one zone nothing crosses.
    let one_zone = text.replace(
        "availability_zones = [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"]",
        "availability_zones = [\"us-east-1a\"]",
    );
    let s = run(&scenario(&one_zone));
    assert!(fig(&s, "cost.by_item.data_transfer").abs() < 1e-15);
}

#[test]
fn service_connect_keeps_calls_in_the_callers_zone_when_the_callee_has_two_tasks_per_zone() {
    // As above but web has 6 tasks (2 per zone). api with 3 tasks is under 2 per zone, so
    // Service Connect picks round robin: 2/3 crosses, 0.09375 $ (the test above).
    // api with 7 tasks (3, 2, 2): zone-aware routing keeps each web zone's 1/3 local up to
    // api's share there; the two zones holding 2/7 < 1/3 send 1/3 − 2/7 = 1/21 each across:
    // 2/21 crosses instead of 2/3, so 0.09375 × (2/21) / (2/3) = 0.09375 / 7.
    let text = |web: u32, api: u32, via: &str| {
        format!(
            "{}[cost]\ndata_transfer = true\n\
             [[capacity_providers]]\nname = \"P\"\nkind = \"fargate\"\n\
             [[task_definitions]]\nfamily = \"t\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n\
             [[services]]\nname = \"web\"\ntask_definition = \"t\"\ndesired_count = {web}\n\
             [services.workload]\nrate = {{ pattern = \"constant\", value = 1 }}\ncpu_per_request = \"1ms\"\n\
             [[services.calls]]\nservice = \"api\"\nper_request = 1.0\nvia = \"{via}\"\n\
             [[services]]\nname = \"api\"\ntask_definition = \"t\"\ndesired_count = {api}\n\
             [services.service_discovery]\n\
             [services.workload]\ncpu_per_request = \"1ms\"\nrequest_bytes = 0\nresponse_bytes = 1048576\n",
            header("2h", &["a", "b", "c"])
        )
    };
    let transfer = |web, api, via| fig(&run(&scenario(&text(web, api, via))), "cost.by_item.data_transfer");
    assert_close!(transfer(6, 3, "service_connect"), 0.09375, 1e-9);
    assert_close!(transfer(6, 7, "service_connect"), 0.09375 / 7.0, 1e-9);
    // Evenly spread (6 and 6): nothing crosses.
    assert!(transfer(6, 6, "service_connect").abs() < 1e-12);
    // DNS service discovery has no zone awareness: the client picks any task, 2/3 crosses.
    assert_close!(transfer(6, 6, "service_discovery"), 0.09375, 1e-9);
}

#[test]
fn public_addresses_cost_by_the_hour() {
    // 4 Fargate tasks with public addresses: 4 × 0.005 × 2 h = 0.04, charged to their service.
    let text = "[cost]\npublic_ipv4 = true\n".to_string() + &fargate("", "assign_public_ip = true");
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.by_item.public_ipv4"), 0.04, 1e-12);
    assert_close!(fig(&s, "cost.total_usd"), 2.0 * FOUR_TASKS_HOURLY + 0.04, 1e-12);
    // Three instances with public addresses: 3 × 0.005 × 10 h = 0.15, unallocated with the idle fleet.
    let text = "[cost]\npublic_ipv4 = true\n".to_string() + &m5_fleet("public_ip = true");
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.by_item.public_ipv4"), 0.15, 1e-12);
    assert_close!(fig(&s, "cost.unallocated_usd"), 2.88 + 0.15, 1e-12);
}

#[test]
fn root_volumes_and_ephemeral_storage_cost_by_the_gb_month() {
    // Three 30 GiB gp3 root volumes at 0.08 $/GB-month (730 h) for 10 h: 3 × 30 × 0.08 × 10 / 730.
    let text = "[cost]\nstorage = true\n".to_string() + &m5_fleet("");
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.by_item.storage"), 72.0 / 730.0, 1e-12);
    // gp2 at 0.10 and 100 GiB: 3 × 100 × 0.1 × 10 / 730.
    let gp2 = "[cost]\nstorage = true\n".to_string() + &m5_fleet("root_volume_gib = 100\nroot_volume_type = \"gp2\"");
    assert_close!(fig(&run(&scenario(&gp2)), "cost.by_item.storage"), 300.0 / 730.0, 1e-12);
    // Fargate: 50 GiB of which 30 above the free 20, 0.000111 $/GB-h, 4 tasks, 2 h.
    let text = "[cost]\nstorage = true\n".to_string()
        + &fargate("", "")
            .replace("network_mode = \"awsvpc\"", "network_mode = \"awsvpc\"\nephemeral_storage_gib = 50");
    let s = run(&scenario(&text));
    assert_close!(fig(&s, "cost.by_item.storage"), 30.0 * 0.000111 * 4.0 * 2.0, 1e-12);
    assert_close!(fig(&s, "cost.by_service.s"), 2.0 * FOUR_TASKS_HOURLY + 0.02664, 1e-9);
}

#[test]
fn items_are_off_unless_turned_on() {
    let text = fargate("", "assign_public_ip = true\n[services.load_balancer]\n");
    let s = run(&scenario(&text));
    for item in ["load_balancer", "public_ipv4", "data_transfer", "storage", "savings_plan_commitment"] {
        assert_eq!(fig(&s, &format!("cost.by_item.{item}")), 0.0, "{item}");
    }
    assert_close!(fig(&s, "cost.by_item.compute"), fig(&s, "cost.total_usd"), 0.0);
}

#[test]
fn a_region_without_prices_needs_explicit_ones() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = "[cost]\npublic_ipv4 = true\n".to_string()
        + &fargate("", "assign_public_ip = true").replace("us-east-1", "eu-south-2");
    let err = match load_str(&text, "t.toml", base) {
        Ok(_) => panic!("an unlisted region loaded"),
        Err(d) => d.to_string(),
    };
    let listed = "listed: us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-northeast-1";
    assert!(err.contains(&format!("region \"eu-south-2\" has no built-in prices ({listed})")), "{err}");
    assert!(err.contains("give cost.prices.public_ipv4_hourly\n"), "{err}");
    // Compute is never priced at another region's figures either.
    assert!(err.contains("give cost.prices.fargate_vcpu_hour and cost.prices.fargate_gb_hour"), "{err}");
    let priced = text.replace(
        "[cost]\n",
        "[cost]\nprices = { public_ipv4_hourly = 0.01, fargate_vcpu_hour = 0.05, fargate_gb_hour = 0.005 }\n",
    );
    let s = run(&scenario(&priced));
    assert_close!(fig(&s, "cost.by_item.public_ipv4"), 4.0 * 0.01 * 2.0, 1e-12);
    // Four 0.25 vCPU / 0.5 GB tasks for 2 h at the given prices.
    assert_close!(fig(&s, "cost.by_item.compute"), 4.0 * (0.25 * 0.05 + 0.5 * 0.005) * 2.0, 1e-12);
}
