//! The parsed export as a whole: the items of each command across its
//! files, and look-ups by name or ARN that the mappings share.

use super::error::Errors;
use super::json::{Doc, Node, arn_name};
use super::kind::Kind;
use std::collections::BTreeMap;

pub struct Export<'a> {
    pub docs: &'a [Doc],
    items: BTreeMap<Kind, Vec<Node<'a>>>,
}

impl<'a> Export<'a> {
    /// Collects the items of every command once; a file whose main list is
    /// not an array is an error.
    pub fn new(docs: &'a [Doc], errors: &mut Errors) -> Export<'a> {
        let mut items: BTreeMap<Kind, Vec<Node<'a>>> = BTreeMap::new();
        for doc in docs {
            let root = Node::root(doc);
            let list = items.entry(doc.kind).or_default();
            match doc.kind {
                // One object per file.
                Kind::TaskDefinition | Kind::CloudMapService => list.extend(root.get(doc.kind.key())),
                // The wrapped attributes file is read whole.
                Kind::TargetGroupAttributes => list.push(root),
                _ => {
                    if let Some(node) = root.get(doc.kind.key())
                        && let Some(found) = errors.keep(node.items())
                    {
                        list.extend(found);
                    }
                }
            }
        }
        Export { docs, items }
    }

    /// Every item of a command across its files, in file order.
    pub fn items(&self, kind: Kind) -> &[Node<'a>] {
        self.items.get(&kind).map_or(&[], Vec::as_slice)
    }
}

/// Items keyed by a string member (an ARN or a name); the first of equal
/// keys wins, and items without the key are left out.
pub fn by_key<'a>(items: &[Node<'a>], key: &str) -> BTreeMap<String, Node<'a>> {
    let mut map = BTreeMap::new();
    for item in items {
        if let Ok(Some(k)) = item.opt_str(key) {
            map.entry(k.to_string()).or_insert_with(|| item.clone());
        }
    }
    map
}

/// The cluster and service of an Application Auto Scaling resource id
/// (`service/<cluster>/<service>`).
pub fn service_resource(resource_id: &str) -> Option<(&str, &str)> {
    let mut parts = resource_id.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("service"), Some(cluster), Some(service), None) => Some((cluster, service)),
        _ => None,
    }
}

/// The cluster name of an ECS cluster ARN or plain name.
pub fn cluster_of_arn(arn: &str) -> &str {
    arn_name(arn)
}
