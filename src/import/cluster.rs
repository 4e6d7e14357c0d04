//! The cluster: its name (which every other resource must share), its
//! region, the capacity providers attached to it and its default strategy.

use super::document::Origin;
use super::error::{Errors, ImportError};
use super::export::{Export, cluster_of_arn};
use super::json::{Node, arn_region};
use super::kind::Kind;
use super::report::Report;
use super::unmodelled::{CLUSTER, report_unread};

pub struct Cluster<'a> {
    pub name: String,
    pub name_origin: Origin,
    /// Where the name was read, for messages about other clusters.
    pub source: String,
    pub region: Option<(String, Origin)>,
    /// `capacityProviders` of describe-clusters, when the cluster was described.
    pub providers: Option<Vec<Node<'a>>>,
    pub default_strategy: Vec<Node<'a>>,
}

/// Finds the cluster from describe-clusters, else from the first service's
/// `clusterArn`; a second cluster in describe-clusters is an error.
pub fn cluster<'a>(export: &Export<'a>, report: &mut Report, errors: &mut Errors) -> Cluster<'a> {
    let clusters = export.items(Kind::Clusters);
    let services = export.items(Kind::Services);
    let mut found = None;
    for c in clusters {
        let Some(name) = errors.keep(c.req_str("clusterName")) else { continue };
        match &found {
            None => found = Some((c.clone(), name)),
            Some((first, first_name)) if *first_name != name => errors.push(ImportError::OtherCluster {
                file: c.doc.label.clone(),
                path: format!("{}.clusterName", c.path),
                ours: first_name.to_string(),
                theirs: name.to_string(),
                ours_source: first.source(),
            }),
            Some(_) => {}
        }
    }
    if let Some((node, name)) = found {
        report_unread(&node, &CLUSTER, name, report);
        let arn = node.get("clusterArn");
        let region = arn.as_ref().and_then(|a| {
            let text = a.str().ok()?;
            Some((arn_region(text)?.to_string(), Origin::Derived(format!("the region of {}", a.source()))))
        });
        // An old output without the key says nothing about the providers.
        let providers = node.get("capacityProviders").and_then(|p| errors.keep(p.items()));
        let default_strategy = errors.keep(node.list("defaultCapacityProviderStrategy")).unwrap_or_default();
        let name_node = node.get("clusterName").expect("read above");
        return Cluster {
            name: name.to_string(),
            name_origin: name_node.origin(),
            source: name_node.source(),
            region: region.or_else(|| region_of_any(export)),
            providers,
            default_strategy,
        };
    }
    // No describe-clusters: the first service names the cluster.
    for s in services {
        if let Some(arn) = s.get("clusterArn")
            && let Ok(text) = arn.str()
        {
            return Cluster {
                name: cluster_of_arn(text).to_string(),
                name_origin: Origin::Derived(format!("the cluster in {}", arn.source())),
                source: arn.source(),
                region: arn_region(text)
                    .map(|r| (r.to_string(), Origin::Derived(format!("the region of {}", arn.source()))))
                    .or_else(|| region_of_any(export)),
                providers: None,
                default_strategy: Vec::new(),
            };
        }
    }
    let why = "neither describe-clusters nor describe-services names the cluster: \"default\"";
    Cluster {
        name: "default".to_string(),
        name_origin: report.assume("cluster.name", "cluster", why),
        source: "the default cluster name (assumed)".to_string(),
        region: region_of_any(export),
        providers: None,
        default_strategy: Vec::new(),
    }
}

/// The region of the first ARN found in services, capacity providers or groups.
fn region_of_any(export: &Export<'_>) -> Option<(String, Origin)> {
    let sources = [
        (Kind::Services, "serviceArn"),
        (Kind::CapacityProviders, "capacityProviderArn"),
        (Kind::AutoScalingGroups, "AutoScalingGroupARN"),
    ];
    for (kind, key) in sources {
        for item in export.items(kind) {
            if let Some(arn) = item.get(key)
                && let Ok(text) = arn.str()
                && let Some(region) = arn_region(text)
            {
                return Some((region.to_string(), Origin::Derived(format!("the region of {}", arn.source()))));
            }
        }
    }
    None
}
