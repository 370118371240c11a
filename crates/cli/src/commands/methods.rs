//! `methods` and `indicators`: the public-health methods on JSON objects and CSV tables.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};

use anyhow::{Context, bail};
use app::methods::table::{TableFormat, TableRequest};
use serde_json::{Map, Value};

use crate::config::{IndicatorsArgs, MethodsArgs, PrioritiesArgs, PrioritiesCommand};

pub(crate) fn methods(args: MethodsArgs) -> anyhow::Result<()> {
    let mut text = String::new();
    match &args.input {
        Some(path) => {
            File::open(path)
                .and_then(|mut file| file.read_to_string(&mut text))
                .with_context(|| format!("reading {}", path.display()))?;
        }
        None => {
            std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
        }
    }
    let source = args.input.as_ref().map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let input: Value = serde_json::from_str(&text).with_context(|| format!("{source} is not valid JSON"))?;
    let output = app::methods::run(&args.name, &input)?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &output)?;
    writeln!(stdout)?;
    Ok(())
}

/// `priorities solve` and `priorities mcda`: a JSON file in, the result as JSON out; a
/// malformed file is refused with its name, line and column.
pub(crate) fn priorities(args: PrioritiesArgs) -> anyhow::Result<()> {
    let (method, path) = match &args.command {
        PrioritiesCommand::Solve { file } => ("portfolio", file),
        PrioritiesCommand::Mcda { file } => ("mcda", file),
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if method == "portfolio" {
        // Read typed, so a wrong or unknown field is named with its line and column.
        let problem: commissioning::plan::portfolio::Problem =
            serde_json::from_str(&text).with_context(|| format!("{} is not a portfolio problem", path.display()))?;
        let portfolio = commissioning::plan::portfolio::solve(&problem)
            .with_context(|| format!("no optimal portfolio for {}", path.display()))?;
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &portfolio)?;
        writeln!(stdout)?;
        return Ok(());
    }
    let input: Value = serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))?;
    let output = app::methods::run(method, &input).with_context(|| format!("in {}", path.display()))?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &output)?;
    writeln!(stdout)?;
    Ok(())
}

pub(crate) fn indicators(args: IndicatorsArgs) -> anyhow::Result<()> {
    let format = match args.format.as_str() {
        "csv" => TableFormat::Csv,
        "json" => TableFormat::Json,
        other => bail!("--format must be csv or json, not {other:?}"),
    };
    let mut options = Map::new();
    for option in &args.options {
        let (key, value) = option.split_once('=').with_context(|| format!("--option {option:?} is not KEY=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        options.insert(key.trim().to_owned(), value);
    }
    let mut columns = BTreeMap::new();
    for column in &args.columns {
        let (argument, name) =
            column.split_once('=').with_context(|| format!("--column {column:?} is not ARGUMENT=COLUMN"))?;
        columns.insert(argument.trim().to_owned(), name.trim().to_owned());
    }
    let request =
        TableRequest { method: &args.method, input: &args.input, group_by: &args.group_by, options, columns, format };
    let groups = match &args.output {
        Some(path) => {
            // Write to a temporary file and rename, so a failure leaves no half-written table.
            let partial = path.with_extension("partial");
            let mut out =
                BufWriter::new(File::create(&partial).with_context(|| format!("creating {}", partial.display()))?);
            let result = app::methods::table::run_table(&request, &mut out);
            let groups = match result.and_then(|groups| {
                out.flush().map_err(|error| app::AppError::Invalid(error.to_string()))?;
                Ok(groups)
            }) {
                Ok(groups) => groups,
                Err(error) => {
                    drop(out);
                    let _ = std::fs::remove_file(&partial);
                    return Err(error.into());
                }
            };
            std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
            groups
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            app::methods::table::run_table(&request, &mut stdout)?
        }
    };
    eprintln!("{} computed for {groups} group(s)", args.method);
    Ok(())
}
