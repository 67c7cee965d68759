//! Garbage in, errors out: no input may panic the loader. Deterministic: the inputs are
//! truncations and byte flips of real scenarios, wrong types, and a fixed list of oddities.

use std::path::Path;

fn load(source: &str) {
    // Either result is fine; a panic fails the test. What loads is also resolved and
    // checked for warnings, which must not panic either.
    if let Ok(scenario) = scenario::load_str(source, Path::new("fuzz/x.yaml"), &[]) {
        let _ = scenario::resolved_yaml(&scenario);
        let _ = scenario::warnings(&scenario);
    }
}

#[test]
fn truncated_and_mutated_scenarios_do_not_panic() {
    mutate(scenario::QUICKSTART);
}

#[test]
fn truncated_and_mutated_lifecycle_scenarios_do_not_panic() {
    // Every lifecycle field: services, target groups, schedules, actions, new faults.
    let source = std::fs::read_to_string(crate::data("resolved/lifecycle.yaml"))
        .expect("the lifecycle scenario is there");
    mutate(&source);
}

/// Loads every 7th truncation of `source` and 600 copies with one character replaced.
fn mutate(source: &str) {
    let mut cut = 0;
    while cut < source.len() {
        if source.is_char_boundary(cut) {
            load(&source[..cut]);
        }
        cut += 7;
    }
    // Replace single characters with characters that change YAML structure.
    let bytes: Vec<char> = source.chars().collect();
    let replacements = [
        '[', ']', '{', '}', ':', '-', '"', '\'', '\t', '\n', '&', '*', '!', '#', '|', '>', '0', ' ',
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..600 {
        // A tiny xorshift: the test must be deterministic and needs no rand dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut mutated = bytes.clone();
        let idx = (state % mutated.len() as u64) as usize;
        mutated[idx] = replacements[(state >> 32) as usize % replacements.len()];
        load(&mutated.iter().collect::<String>());
    }
}

#[test]
fn odd_documents_do_not_panic() {
    let cases = [
        "",
        "---",
        "~",
        "42",
        "[1, 2]",
        "\"just a string\"",
        "duration: [1, 2]\ncluster: 5\ntaskDefinitions: {a: b}\nservices: 7\nfaults: x",
        "duration: 1h\ncluster: {availabilityZones: [a, a], instances: [{count: -1}]}",
        "duration: 99999999999999999999999999d",
        "duration: 1h\ncluster: {availabilityZones: [a]}\ntaskDefinitions: [{file: /nonexistent.json}]",
        "duration: 1h\ncluster: {availabilityZones: [a]}\ntaskDefinitions: [{file: [1]}]",
        "a: &x [*x]",
        "a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]",
        "? [a]\n: b",
        "{duration: 1h, duration: 2h}",
        "%YAML 1.2\n--- !!map\nduration: !!str 1h",
        "\u{feff}duration: 1h",
        "duration: 1h\n---\nduration: 2h",
        "services: [{taskDefinition: 'x:'}, {taskDefinition: ':1'}, {taskDefinition: 'x:99999999999999999999'}]",
        "runTasks: [{count: 1e3}]",
        "taskDefinitions: [{family: a, cpu: '1.5 vCPU', memory: '0.001 GB', containerDefinitions: [{name: a, memory: 1e10}]}]",
        "parameters: {dynamicHostPortRange: [65535, 1024], memoryOverheadPercent: 2.55}",
        "faults: [{kind: taskExit}, {kind: zoneOutage, mtbf: 1d, at: 1h}, {kind: [x]}]",
        "parameters: {quotas: 5}\noutputs: {a: b}",
        "parameters: {quotas: {containerInstancesPerCluster: 99999999999999999999999, tasksPerService: -1}}\noutputs: [[], {}, ~, '']",
        "duration: 1h\ncluster: {availabilityZones: [a], instances: [{instanceType: m5.large, availabilityZone: a, count: 4294967295}, {instanceType: m5.large, availabilityZone: a, count: 4294967295}]}",
        "duration: 1h\ncluster: {availabilityZones: [a], autoScalingGroups: [{name: g, instanceType: m5.large, desiredCapacity: 4294967295}, {name: h, instanceType: m5.large, desiredCapacity: 4294967295}]}",
        "duration: 1h\ncluster: {availabilityZones: [a], autoScalingGroups: [{name: g, instanceType: m5.large, desiredCapacity: 1}, {name: h, instanceType: m5.large, desiredCapacity: 1}]}\nactions: [{at: 1h, setDesiredCapacity: {autoScalingGroup: g, desiredCapacity: 4294967295}}, {at: 1h, setDesiredCapacity: {autoScalingGroup: h, desiredCapacity: 4294967295}}, {at: 99999999999999999999d, drainInstances: ~}, {at: 1h, updateService: ~}, {at: 1h, stopTask: [x]}]",
        "taskDefinitions: [{family: a, containerDefinitions: [{name: a, memory: 6, healthCheck: {command: [[], {}], interval: -5}}], simulation: {exitCode: -9223372036854775808, startFailure: ~, unhealthyAfter: []}}]",
        "services: [{serviceName: s, taskDefinition: a, schedulingStrategy: DAEMON, loadBalancers: [{targetGroupArn: 'arn:::::', containerName: a, containerPort: 1}, {targetGroupArn: 'arn:aws:elasticloadbalancing:r:a:targetgroup//', containerPort: x}]}]\ntargetGroups: [{name: 'arn:aws:elasticloadbalancing:r:a:targetgroup/a/b/c'}, {name: x, healthCheckTimeoutSeconds: 300}]",
        "parameters: {startTime: '9999-99-99T99:99:99Z', throttleBase: 99999999999999999999d, throttleMax: 0s}\nscheduledTasks: [{schedule: 'cron(* * * * * * * *)'}, {schedule: 'rate(18446744073709551615 days)'}]",
        "faults: [{kind: agentDisconnect, duration: [1]}, {kind: spotInterruption, target: 5}, {kind: taskExit, container: [a]}]",
    ];
    for case in cases {
        load(case);
    }
    let deep = "[".repeat(100_000);
    load(&deep);
    let deep_map = "a: {".repeat(10_000);
    load(&deep_map);
}
