//! `cluster.region` and `pricing` (docs/cost.md): the table's On-Demand price by default, a
//! given On-Demand price, Spot at a price or a discount; bad values are located errors that
//! say what is allowed, and a type the table does not price in the region needs a price.

use scenario::pricing::{Market, Price};

use crate::{fails, loads};

/// A cluster with one Auto Scaling group of `group` (flow mapping entries after the name)
/// and one fixed instance of `fixed`, under `region` (a whole `region: ...` line or "").
fn text(region: &str, group: &str, fixed: &str) -> String {
    format!(
        "\
duration: 1h
cluster:
{region}  availabilityZones: [a]
  autoScalingGroups:
    - {{name: g, desiredCapacity: 1, {group}}}
  instances:
    - {{availabilityZone: a, {fixed}}}
"
    )
}

fn price(market: Market, nano_usd_per_hour: u64) -> Option<Price> {
    Some(Price {
        market,
        nano_usd_per_hour,
    })
}

#[test]
fn prices_come_from_the_table_or_the_scenario() {
    let loaded = loads(&text(
        "",
        "instanceType: m5.large",
        "instanceType: m5.large, count: 2, pricing: {spot: {discount: 0.7}}",
    ));
    assert_eq!(loaded.pricing.region, "us-east-1");
    assert_eq!(
        loaded.pricing.auto_scaling_groups,
        [price(Market::OnDemand, 96_000_000)]
    );
    // 70 % off 0.096: 0.0288, for each instance of the entry.
    assert_eq!(
        loaded.pricing.instances,
        [
            price(Market::Spot, 28_800_000),
            price(Market::Spot, 28_800_000)
        ]
    );
    let loaded = loads(&text(
        "  region: eu-west-1\n",
        "instanceType: m5.large, pricing: {onDemandUsdPerHour: 0.25}",
        "instanceType: m5.large, pricing: {spot: {usdPerHour: 0.031}}",
    ));
    assert_eq!(loaded.pricing.region, "eu-west-1");
    assert_eq!(
        loaded.pricing.auto_scaling_groups,
        [price(Market::OnDemand, 250_000_000)]
    );
    assert_eq!(loaded.pricing.instances, [price(Market::Spot, 31_000_000)]);
    // eu-west-1's own price for the type.
    let loaded = loads(&text(
        "  region: eu-west-1\n",
        "instanceType: m5.large",
        "instanceType: c5.large",
    ));
    assert_eq!(
        loaded.pricing.auto_scaling_groups,
        [price(Market::OnDemand, 114_000_000)]
    );
    assert!(loaded.pricing.is_known());
}

#[test]
fn an_unknown_region_is_located_and_lists_the_regions() {
    let errors = fails(&text(
        "  region: us-east-9\n",
        "instanceType: m5.large",
        "instanceType: m5.large",
    ));
    assert!(
        errors.starts_with(
            "s.yaml:3:11: cluster.region: expected an AWS region of the built-in price table: af-south-1, ap-east-1,"
        ),
        "{errors}"
    );
    assert!(errors.contains("us-east-1, us-east-2,"), "{errors}");
}

#[test]
fn a_type_the_table_does_not_price_in_the_region_has_an_unknown_cost_and_a_warning() {
    // The table has no t3.medium in us-east-1 (docs/cost.md): the scenario loads, its cost
    // is unknown, and a warning says where and how to give a price.
    let scenario = loads(&text(
        "",
        "instanceType: t3.medium",
        "instanceType: m5.large",
    ));
    assert!(!scenario.pricing.is_known());
    assert_eq!(scenario.pricing.auto_scaling_groups, [None]);
    assert_eq!(
        crate::warnings_of(&scenario),
        ["s.yaml:5:51: cluster.autoScalingGroups[0].instanceType: the built-in price table has no On-Demand price for t3.medium in us-east-1, so the run's cost figures stay empty; give one: pricing: {onDemandUsdPerHour: 0.1}, or Spot: pricing: {spot: {usdPerHour: 0.03}}"]
    );
    // Nor a discount off a price it does not have.
    let errors = fails(&text(
        "",
        "instanceType: m5.large",
        "instanceType: t3.medium, pricing: {spot: {discount: 0.5}}",
    ));
    assert!(
        errors.starts_with("s.yaml:7:63: cluster.instances[0].pricing: the built-in price table has no On-Demand price for t3.medium in us-east-1 to take a Spot discount off;"),
        "{errors}"
    );
    // A price given is enough; in us-east-2 the table has it.
    for scenario in [
        loads(&text(
            "",
            "instanceType: t3.medium, pricing: {onDemandUsdPerHour: 0.0416}",
            "instanceType: m5.large",
        )),
        loads(&text(
            "  region: us-east-2\n",
            "instanceType: t3.medium",
            "instanceType: m5.large",
        )),
    ] {
        assert!(scenario.pricing.is_known());
        assert!(crate::warnings_of(&scenario).is_empty());
    }
}

#[test]
fn a_custom_type_without_a_price_leaves_the_cost_unknown() {
    let loaded = loads(
        "\
duration: 1h
cluster:
  availabilityZones: [a]
  instanceTypes: [{name: box, cpu: 1024, memory: 1024, enis: 2}]
  instances: [{instanceType: box, availabilityZone: a}]
",
    );
    assert_eq!(loaded.pricing.instances, [None]);
    assert!(!loaded.pricing.is_known());
}

#[test]
fn bad_prices_say_what_is_allowed() {
    let cases = [
        (
            "pricing: {onDemandUsdPerHour: 0}",
            "cluster.instances[0].pricing.onDemandUsdPerHour: expected US dollars per instance-hour above 0, with at most 9 decimals",
        ),
        (
            "pricing: {onDemandUsdPerHour: -1}",
            "cluster.instances[0].pricing.onDemandUsdPerHour: expected US dollars per instance-hour above 0",
        ),
        (
            "pricing: {spot: {discount: 1}}",
            "cluster.instances[0].pricing.spot.discount: expected a fraction off the On-Demand price, from 0 to below 1",
        ),
        (
            "pricing: {spot: {discount: 0.5, usdPerHour: 0.1}}",
            "cluster.instances[0].pricing.spot: expected a mapping with one of usdPerHour (the Spot price) or discount",
        ),
        (
            "pricing: {spot: {}}",
            "cluster.instances[0].pricing.spot: expected a mapping with one of usdPerHour",
        ),
        (
            "pricing: {onDemandUsdPerHour: 0.1, spot: {discount: 0.5}}",
            "cluster.instances[0].pricing: give one of onDemandUsdPerHour or spot, not both",
        ),
        (
            "pricing: {reserved: 0.05}",
            "cluster.instances[0].pricing.reserved: unknown field",
        ),
    ];
    for (pricing, expected) in cases {
        let errors = fails(&text(
            "",
            "instanceType: m5.large",
            &format!("instanceType: m5.large, {pricing}"),
        ));
        assert!(errors.contains(expected), "{pricing}: {errors}");
    }
}
