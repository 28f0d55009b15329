//! `cost` refuses, with exit 2 and the limit named, what the platform cannot run (issue 11):
//! an invocation longer than the platform's timeout, an instance type the table does not
//! list, a Fargate size that does not exist, a Flex memory size Flex does not offer.

use super::common::{input_error, json};

fn cost(args: &[&str]) -> String {
    input_error(&[&["cost", "--platform"][..], args].concat())
}

#[test]
fn an_invocation_beyond_the_timeout_is_refused() {
    let e = cost(&["aws-lambda", "--requests", "1000", "--duration-ms", "900001"]);
    assert!(
        e.contains("--duration-ms 900001: aws-lambda stops an invocation after 900,000 ms"),
        "{e}"
    );
    assert_eq!(
        json(&[
            "cost",
            "--platform",
            "aws-lambda",
            "--requests",
            "1000",
            "--duration-ms",
            "900000",
            "--json"
        ])["complete"],
        true
    );
    let e = cost(&[
        "azure-functions-consumption",
        "--requests",
        "1",
        "--duration-ms",
        "600001",
    ]);
    assert!(
        e.contains("azure-functions-consumption stops an invocation after 600,000 ms"),
        "{e}"
    );
}

#[test]
fn instance_types_and_fargate_sizes_must_exist() {
    // Was: $0.00 with exit 0.
    let e = cost(&["aws-ec2:m7g.nonexistent"]);
    assert!(
        e.contains("aws-ec2 has no instance type 'm7g.nonexistent'") && e.contains("m7g.large"),
        "{e}"
    );
    let e = cost(&["azure-functions-premium:EP9"]);
    assert!(
        e.contains("no instance type 'EP9'; expected one of EP1, EP2, EP3"),
        "{e}"
    );
    let e = cost(&["aws-fargate", "--vcpu", "1", "--memory-mb", "1024"]);
    assert!(
        e.contains("Fargate has no 1-vCPU task with 1024 MB; expected one of 2, 3, 4"),
        "{e}"
    );
    let e = cost(&["aws-fargate", "--vcpu", "3", "--memory-mb", "8192"]);
    assert!(e.contains("Fargate has no 3-vCPU task"), "{e}");
    for (vcpu, mb) in [("0.25", "512"), ("8", "61440"), ("16", "122880")] {
        let v = json(&[
            "cost",
            "--platform",
            "aws-fargate",
            "--vcpu",
            vcpu,
            "--memory-mb",
            mb,
            "--json",
        ]);
        assert_eq!(v["complete"], true, "{vcpu} vCPU {mb} MB");
    }
}

#[test]
fn flex_memory_is_one_of_its_sizes() {
    let e = cost(&["azure-functions-flex", "--memory-mb", "1024"]);
    assert!(e.contains("expected 512, 2048 or 4096 MB"), "{e}");
}
