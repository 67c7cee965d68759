//! The built-in EC2 instance-type catalogue (`data/ec2_instance_types.csv`, see
//! `data/SOURCES.md`) and how ECS registers each type: CPU units, memory less the OS/agent
//! overhead, maximum ENIs and CPU architecture.

use cluster::spec::InstanceType;

const CSV: &str = include_str!("../data/ec2_instance_types.csv");

/// Installed figures of one catalogue row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CatalogueEntry {
    pub name: &'static str,
    pub vcpu: u32,
    pub memory_mib: u32,
}

/// Every row of the catalogue, in file order. Malformed rows cannot occur (the file is
/// embedded and checked by a test), but are skipped rather than trusted.
pub(crate) fn entries() -> impl Iterator<Item = CatalogueEntry> {
    CSV.lines().skip(1).filter_map(|line| {
        let mut cells = line.split(',');
        let name = cells.next()?;
        let vcpu = cells.next()?.parse().ok()?;
        let memory_mib = cells.next()?.parse().ok()?;
        Some(CatalogueEntry {
            name,
            vcpu,
            memory_mib,
        })
    })
}

/// The catalogue type `name` as ECS registers it, with `overhead_per_mille` of the
/// installed memory kept by the OS and agent (rounded up, so registered memory is never
/// over-estimated: m5.large 8192 MiB at 25 per mille registers 8192 - 205 = 7987 MiB).
pub(crate) fn lookup(name: &str, overhead_per_mille: u32) -> Option<InstanceType> {
    let entry = entries().find(|entry| entry.name == name)?;
    let overhead_mib = (u64::from(entry.memory_mib) * u64::from(overhead_per_mille)).div_ceil(1000);
    Some(InstanceType {
        name: entry.name.to_string(),
        cpu_units: entry.vcpu.saturating_mul(1024),
        memory_mib: entry.memory_mib - overhead_mib as u32,
        enis: max_enis(name),
        cpu_architecture: cpu_architecture(name).to_string(),
    })
}

/// Maximum ENIs by size suffix. The CSV has no ENI column; these are EC2's figures for the
/// common general-purpose and compute families (nano/micro 2; small to large 3;
/// xlarge to 3xlarge 4; 4xlarge to 12xlarge 8; 16xlarge and larger, and metal, 15).
/// Other families differ in places; a `cluster.instanceTypes` entry overrides this.
pub(crate) fn max_enis(name: &str) -> u32 {
    let size = name.rsplit_once('.').map_or(name, |(_, size)| size);
    match size {
        "nano" | "micro" => 2,
        "small" | "medium" | "large" => 3,
        "xlarge" => 4,
        "metal" => 15,
        _ => match size
            .strip_suffix("xlarge")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(1..=3) => 4,
            Some(4..=12) => 8,
            Some(_) => 15,
            None => 3,
        },
    }
}

/// `arm64` for Graviton families: `a1`, or a `g` among the letters after the generation
/// digit (m6g, c7gn, t4g, x2gd, im4gn, is4gen, g5g); else `x86_64`.
pub(crate) fn cpu_architecture(name: &str) -> &'static str {
    let family = name.split('.').next().unwrap_or(name);
    if family == "a1" {
        return "arm64";
    }
    let after_generation = family
        .find(|ch: char| ch.is_ascii_digit())
        .map(|idx| family[idx..].trim_start_matches(|ch: char| ch.is_ascii_digit()));
    match after_generation {
        Some(suffix)
            if suffix
                .split('-')
                .next()
                .is_some_and(|letters| letters.contains('g')) =>
        {
            "arm64"
        }
        _ => "x86_64",
    }
}

#[cfg(test)]
mod tests {
    use super::{entries, lookup};

    #[track_caller]
    fn check(name: &str, cpu_units: u32, memory_mib: u32, enis: u32, arch: &str) {
        let found = lookup(name, 25).expect("type in catalogue");
        assert_eq!(
            (
                found.cpu_units,
                found.memory_mib,
                found.enis,
                found.cpu_architecture.as_str()
            ),
            (cpu_units, memory_mib, enis, arch),
            "{name}"
        );
    }

    #[test]
    fn catalogue() {
        assert_eq!(entries().count(), 810);
        check("m5.large", 2048, 7987, 3, "x86_64");
        check("m4.large", 2048, 7987, 3, "x86_64");
        check("c5.xlarge", 4096, 7987, 4, "x86_64");
        check("m6g.large", 2048, 7987, 3, "arm64");
        check("t3.nano", 2048, 499, 2, "x86_64");
        check("c7gn.16xlarge", 65536, 131072 - 3277, 15, "arm64");
        check("g5g.xlarge", 4096, 8192 - 205, 4, "arm64");
        check("g4dn.xlarge", 4096, 16384 - 410, 4, "x86_64");
        check("a1.medium", 1024, 2048 - 52, 3, "arm64");
        assert_eq!(lookup("m5.large", 0).map(|t| t.memory_mib), Some(8192));
        assert_eq!(lookup("m5.larg", 25), None);
    }
}
