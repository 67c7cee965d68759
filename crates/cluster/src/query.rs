//! The cluster query language of memberOf constraints (ECS.md §1.3). PLACEHOLDER: being
//! written; the interface below is fixed.

use crate::cluster::Cluster;
use crate::instance::ContainerInstance;

/// A parsed expression, e.g. `attribute:ecs.instance-type =~ m5.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    source: String,
}

/// A syntax error at a byte offset of the expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub offset: usize,
    pub message: String,
}

impl Expression {
    pub fn parse(source: &str) -> Result<Expression, QueryError> {
        Ok(Expression {
            source: source.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `instance` satisfies the expression.
    pub fn matches(&self, _cluster: &Cluster, _instance: &ContainerInstance) -> bool {
        true
    }
}
