//! What instances cost: `cluster.region`, the built-in EC2 On-Demand price table
//! (`data/ec2_linux_on_demand_prices.csv`, see `data/SOURCES.md`) and the `pricing` of each
//! Auto Scaling group and fixed instance (On-Demand from the table or given, or Spot at a
//! given price or a discount off On-Demand). Prices are exact integers of nano-dollars per
//! instance-hour, read from the decimal text without floats.

use cluster::spec::InstanceType;

use crate::duration::parse_decimal_scaled;
use crate::node::{Node, Value};
use crate::read::{Cx, Fields};

const CSV: &str = include_str!("../data/ec2_linux_on_demand_prices.csv");

/// The region a cluster is in when the scenario names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Nano-dollars in a dollar: prices are kept in nano-dollars per hour.
pub const NANO_USD: u64 = 1_000_000_000;

/// How instances are bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Market {
    OnDemand,
    Spot,
}

impl Market {
    pub fn as_str(self) -> &'static str {
        match self {
            Market::OnDemand => "onDemand",
            Market::Spot => "spot",
        }
    }
}

/// What one instance costs per hour it is registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    pub market: Market,
    /// US dollars per instance-hour, times 10^9.
    pub nano_usd_per_hour: u64,
}

/// The scenario's prices: per Auto Scaling group (by `AsgId`) and per fixed instance (as
/// `ClusterSpec::instances`, expanded from `count`). `None`: no `pricing` given and no price
/// in the table for the type in the region (a custom type, or a gap of the table, which
/// `warnings` reports); the run's cost is then unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pricing {
    pub region: String,
    pub auto_scaling_groups: Vec<Option<Price>>,
    pub instances: Vec<Option<Price>>,
}

impl Pricing {
    /// Whether every instance has a price, so the run's cost is known.
    pub fn is_known(&self) -> bool {
        self.auto_scaling_groups
            .iter()
            .chain(&self.instances)
            .all(Option::is_some)
    }
}

/// `(instance type, region, price text)` of every row of the table, in file order.
fn rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    CSV.lines().skip(1).filter_map(|line| {
        let mut cells = line.split(',');
        Some((cells.next()?, cells.next()?, cells.next()?))
    })
}

/// The table's On-Demand price of `instance_type` in `region`, in nano-dollars per hour.
pub fn on_demand_nano_usd(instance_type: &str, region: &str) -> Option<u64> {
    rows()
        .find(|&(name, at, _)| name == instance_type && at == region)
        .and_then(|(_, _, text)| parse_decimal_scaled(text, 9))
        .and_then(|nano| u64::try_from(nano).ok())
}

/// Every region the table prices, sorted, once each.
pub fn regions() -> Vec<&'static str> {
    let mut regions: Vec<&str> = rows().map(|(_, region, _)| region).collect();
    regions.sort_unstable();
    regions.dedup();
    regions
}

/// `cluster.region`: one of the table's regions (default `us-east-1`).
pub(crate) fn region(cx: &mut Cx, fields: &Fields<'_>) -> Option<String> {
    let Some(node) = fields.get("region") else {
        return Some(DEFAULT_REGION.to_string());
    };
    let field = fields.path_of("region");
    let known = regions();
    if let Value::Scalar { text, .. } = &node.value {
        if known.contains(&text.as_str()) {
            return Some(text.clone());
        }
    }
    cx.invalid(
        node,
        &field,
        &format!(
            "an AWS region of the built-in price table: {}",
            known.join(", ")
        ),
    );
    None
}

/// What the entry says: nothing (the table's On-Demand price), a given On-Demand price, or
/// Spot at a price or a discount (parts per million off On-Demand).
enum Given {
    Table,
    OnDemand(u64),
    SpotPrice(u64),
    SpotDiscount(u64),
}

/// US dollars per hour, as exact nano-dollars: at most nine decimals, above zero.
fn usd_per_hour(cx: &mut Cx, node: &Node, field: &str) -> Option<u64> {
    const EXPECTED: &str = "US dollars per instance-hour above 0, with at most 9 decimals";
    let nano = match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } => parse_decimal_scaled(text.trim(), 9).and_then(|nano| u64::try_from(nano).ok()),
        _ => None,
    };
    match nano {
        Some(nano) if nano > 0 => Some(nano),
        _ => {
            cx.invalid(node, field, EXPECTED);
            None
        }
    }
}

/// `pricing: {onDemandUsdPerHour: 0.1}`, `{spot: {usdPerHour: 0.03}}` or
/// `{spot: {discount: 0.7}}` (a fraction off On-Demand, from 0 to below 1, at most six
/// decimals).
fn given(cx: &mut Cx, node: &Node, field: &str) -> Option<Given> {
    let fields = cx.fields(node, field)?;
    fields.finish(cx, &["onDemandUsdPerHour", "spot"], &[]);
    let on_demand = fields
        .get("onDemandUsdPerHour")
        .map(|node| usd_per_hour(cx, node, &fields.path_of("onDemandUsdPerHour")));
    let spot = fields.get("spot").map(|node| {
        let path = fields.path_of("spot");
        let spot = cx.fields(node, &path)?;
        spot.finish(cx, &["usdPerHour", "discount"], &[]);
        let price = spot
            .get("usdPerHour")
            .map(|node| usd_per_hour(cx, node, &spot.path_of("usdPerHour")));
        let discount = spot.get("discount").map(|node| {
            let field = spot.path_of("discount");
            let ppm = match &node.value {
                Value::Scalar {
                    text,
                    quoted: false,
                } => parse_decimal_scaled(text.trim(), 6).filter(|&ppm| ppm < 1_000_000),
                _ => None,
            };
            if ppm.is_none() {
                cx.invalid(
                    node,
                    &field,
                    "a fraction off the On-Demand price, from 0 to below 1 (0.7: 70 % off), with at most 6 decimals",
                );
            }
            ppm.map(|ppm| ppm as u64)
        });
        match (price, discount) {
            (Some(price), None) => price.map(Given::SpotPrice),
            (None, Some(discount)) => discount.map(Given::SpotDiscount),
            _ => {
                cx.invalid(
                    node,
                    &path,
                    "a mapping with one of usdPerHour (the Spot price) or discount (a fraction off On-Demand)",
                );
                None
            }
        }
    });
    match (on_demand, spot) {
        (None, None) => Some(Given::Table),
        (Some(price), None) => price.map(Given::OnDemand),
        (None, Some(spot)) => spot,
        (Some(_), Some(_)) => {
            cx.rule(
                &node.loc,
                field,
                "give one of onDemandUsdPerHour or spot, not both".to_string(),
            );
            None
        }
    }
}

/// The price of an Auto Scaling group's or fixed instance's instances, from its `pricing`
/// and the table. `Some(None)`: unknown (no price given, and the table has none for the
/// type in the region: a custom type, or one of the table's gaps). `None` after an error: a
/// Spot discount off a price the table does not have.
pub(crate) fn price(
    cx: &mut Cx,
    fields: &Fields<'_>,
    region: Option<&str>,
    instance_type: Option<&InstanceType>,
) -> Option<Option<Price>> {
    let given = match fields.get("pricing") {
        Some(node) => given(cx, node, &fields.path_of("pricing"))?,
        None => Given::Table,
    };
    let on_demand = |market| Price {
        market,
        nano_usd_per_hour: 0,
    };
    match given {
        Given::OnDemand(nano) => {
            return Some(Some(Price {
                nano_usd_per_hour: nano,
                ..on_demand(Market::OnDemand)
            }))
        }
        Given::SpotPrice(nano) => {
            return Some(Some(Price {
                nano_usd_per_hour: nano,
                ..on_demand(Market::Spot)
            }))
        }
        Given::Table | Given::SpotDiscount(_) => {}
    }
    // The table's price is needed: without a region or a type there is nothing to say.
    let (region, instance_type) = (region?, instance_type?);
    let Some(table) = on_demand_nano_usd(&instance_type.name, region) else {
        let spot = matches!(given, Given::SpotDiscount(_));
        // Unknown, not wrong: a custom type, or a gap in the table (`warnings` says so for
        // an EC2 type); the run's cost figures are then empty. A discount needs a base.
        if !spot {
            return Some(None);
        }
        let (at, field) = match fields.get("pricing") {
            Some(node) => (&node.loc, fields.path_of("pricing")),
            None => (
                fields
                    .get("instanceType")
                    .map_or(&fields.node.loc, |node| &node.loc),
                fields.path_of("instanceType"),
            ),
        };
        cx.rule(
            at,
            &field,
            format!(
                "the built-in price table has no On-Demand price for {} in {region}{}; give one: pricing: {{onDemandUsdPerHour: 0.1}}, or Spot at a price: pricing: {{spot: {{usdPerHour: 0.03}}}}",
                instance_type.name,
                if spot { " to take a Spot discount off" } else { "" }
            ),
        );
        return None;
    };
    Some(Some(match given {
        // Rounded half up to the nano-dollar.
        Given::SpotDiscount(ppm) => Price {
            market: Market::Spot,
            nano_usd_per_hour: ((u128::from(table) * u128::from(1_000_000 - ppm) + 500_000)
                / 1_000_000) as u64,
        },
        _ => Price {
            market: Market::OnDemand,
            nano_usd_per_hour: table,
        },
    }))
}

/// Price text for messages and the resolved scenario: `0.096` (trailing zeros dropped).
pub fn usd_text(nano_usd: u64) -> String {
    let text = format!("{}.{:09}", nano_usd / NANO_USD, nano_usd % NANO_USD);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::{on_demand_nano_usd, regions, rows, usd_text};
    use crate::duration::parse_decimal_scaled;

    #[test]
    fn the_table_prices_every_row_exactly() {
        assert_eq!(rows().count(), 12_835);
        for (name, region, text) in rows().step_by(97) {
            let nano = on_demand_nano_usd(name, region).expect("a price");
            assert!(nano > 0, "{name} {region}");
            let back = parse_decimal_scaled(&usd_text(nano), 9);
            assert_eq!(back, Some(u128::from(nano)), "{name} {region} {text}");
        }
        // SOURCES.md's example.
        assert_eq!(
            on_demand_nano_usd("m5.large", "us-east-1"),
            Some(96_000_000)
        );
        assert_eq!(regions().len(), 35);
        assert!(regions().contains(&"eu-west-1"));
    }
}
