//! `generate`: writes the synthetic commissioner to a directory.

use std::time::Instant;

use anyhow::Context;

use app::generate::GenerateOptions;
use commissioning::period::FinancialYear;

use crate::config::GenerateArgs;
use crate::progress::Reporter;

pub(crate) fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    let mut options = GenerateOptions::new(args.seed, args.rows);
    options.financial_year = FinancialYear::parse(&args.year).context("--year")?;
    let started = Instant::now();
    let report = app::generate::generate(&options, &args.out, &Reporter::new())?;
    eprintln!(
        "Wrote {} LSOAs ({} residents), {} GP practices, {} providers and {} activity rows to {} in {:.2} s",
        report.n_lsoas,
        report.population,
        report.n_practices,
        report.n_providers,
        report.n_activity_rows,
        report.dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
