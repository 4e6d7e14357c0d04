//! A service's Cloud Map registry: the TTL of its DNS records, which is how
//! long callers keep sending to a task that has gone.

use super::document::{Table, tv_secs, tv_str};
use super::error::Errors;
use super::export::Export;
use super::json::{Node, arn_name};
use super::kind::Kind;
use super::report::Report;
use super::unmodelled::{CLOUD_MAP_SERVICE, report_unread};

pub struct Registries<'a> {
    services: Vec<Node<'a>>,
}

impl<'a> Registries<'a> {
    pub fn new(export: &Export<'a>) -> Registries<'a> {
        Registries { services: export.items(Kind::CloudMapService).to_vec() }
    }

    fn find(&self, arn: &str) -> Option<&Node<'a>> {
        self.services.iter().find(|s| {
            s.opt_str("Arn").ok().flatten() == Some(arn) || s.opt_str("Id").ok().flatten() == Some(arn_name(arn))
        })
    }

    /// The `[services.service_discovery]` table for a service's `serviceRegistries`.
    pub fn table(
        &self,
        registries: &[Node<'_>],
        service: &str,
        report: &mut Report,
        errors: &mut Errors,
    ) -> Option<Table> {
        let first = registries.first()?;
        if registries.len() > 1 {
            report.unmodelled(
                "describe-services: services[].serviceRegistries[1..] (only the first registry is modelled)",
                service,
            );
        }
        let arn_node = errors.keep(first.need("registryArn", "the Cloud Map service's ARN"))?;
        let arn = errors.keep(arn_node.str())?;
        let mut t = Table::default();
        t.set("kind", tv_str("cloud_map"), arn_node.origin());
        let Some(cm) = self.find(arn) else {
            report.warn_at(&arn_node, "the Cloud Map service is not in the export (servicediscovery get-service)");
            let why = "the Cloud Map service is not exported: ecsim's default DNS TTL, 60 s";
            t.note("dns_ttl", report.assume("services[].service_discovery.dns_ttl", service, why));
            return Some(t);
        };
        report_unread(cm, &CLOUD_MAP_SERVICE, service, report);
        let Some(dns) = cm.get("DnsConfig") else {
            report.warn_at(
                cm,
                "the Cloud Map service has no DnsConfig (API-only discovery is not modelled); no service discovery",
            );
            report.unmodelled("get-service: Service without DnsConfig (API-only discovery)", service);
            return None;
        };
        let records = errors.keep(dns.list("DnsRecords"))?;
        match records.iter().find_map(|r| r.get("TTL")) {
            Some(ttl) => t.set("dns_ttl", tv_secs(errors.keep(ttl.u64())?), ttl.origin()),
            None => {
                let why = "the DNS records carry no TTL: ecsim's default, 60 s";
                t.note("dns_ttl", report.assume("services[].service_discovery.dns_ttl", service, why));
            }
        }
        Some(t)
    }
}
