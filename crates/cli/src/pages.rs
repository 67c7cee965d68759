//! `plan.html`, written beside `plan.json` and `plan.csv` from their bytes as written, so the
//! page shows exactly the evidence the files hold.

use std::path::Path;

use crate::failure::{input, read_optional, write_atomic, Failure};

/// Writes `out/plan.html` from `out/plan.json` and `out/plan.csv`.
pub fn write_plan_page(out: &Path) -> Result<(), Failure> {
    let read = |name: &str| -> Result<Vec<u8>, Failure> {
        read_optional(&out.join(name))?
            .ok_or_else(|| input(format!("{} was not written", out.join(name).display())))
    };
    let page =
        whatif::html::plan::plan_page(&read("plan.json")?, &read("plan.csv")?).map_err(input)?;
    write_atomic(out, "plan.html", &page)?;
    Ok(())
}
