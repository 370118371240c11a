//! Methods over whole tables: `commissioner indicators METHOD --input FILE.csv --group-by COLS`
//! splits a CSV into groups, runs the method once per group through [`super::run`], and writes
//! one CSV or JSON table with the group columns first.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use crate::AppError;

/// How to write the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Json,
}

/// One `indicators` run.
#[derive(Debug, Clone)]
pub struct TableRequest<'a> {
    pub method: &'a str,
    pub input: &'a Path,
    pub group_by: &'a [String],
    /// Scalar arguments (`confidence`, `multiplier`, ...) given on the command line.
    pub options: Map<String, Value>,
    /// Argument name → CSV column, where the column is not named after the argument.
    pub columns: BTreeMap<String, String>,
    pub format: TableFormat,
}

/// The argument columns each method reads from a table.
pub fn vector_arguments(method: &str) -> &'static [&'static str] {
    match method {
        "byars" | "mean" => &["x"],
        "wilson" | "rate" | "proportion" => &["x", "n"],
        "dsr" => &["x", "n", "stdpop", "eventfreq", "ageband"],
        "isr-ratio" | "isr-rate" => &["x", "n", "x_ref", "n_ref"],
        "life-expectancy" => &["startage", "deaths", "population"],
        "sii" => &["quantile", "population", "x", "value", "se", "lower_cl", "upper_cl"],
        "funnel-limits" | "funnel-significance" => &["numerator", "denominator", "rate"],
        _ => &[],
    }
}

/// Methods whose reference sums x and n within a group before calculating.
fn sums_within_groups(method: &str) -> bool {
    matches!(method, "byars" | "wilson" | "rate" | "proportion")
}

/// Labels, not numbers.
fn is_label(argument: &str) -> bool {
    argument == "ageband"
}

/// Runs the method on every group and writes the table; returns the number of groups.
pub fn run_table(request: &TableRequest<'_>, out: &mut dyn Write) -> Result<usize, AppError> {
    if !super::NAMES.contains(&request.method) {
        return Err(AppError::Invalid(format!(
            "there is no method called {:?}; choose one of {}",
            request.method,
            super::NAMES.join(", ")
        )));
    }
    let path = request.input;
    let located = |line: Option<u64>, message: String| match line {
        Some(line) => AppError::Invalid(format!("{}:{line}: {message}", path.display())),
        None => AppError::Invalid(format!("{}: {message}", path.display())),
    };
    let file = File::open(path).map_err(|error| located(None, format!("cannot open the file: {error}")))?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|error| located(None, format!("cannot read the header row: {error}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let index_of = |name: &str| headers.iter().position(|h| h == name);
    let mut group_columns = Vec::new();
    for column in request.group_by {
        let index =
            index_of(column).ok_or_else(|| located(Some(1), format!("there is no column {column:?} to group by")))?;
        group_columns.push(index);
    }
    for argument in request.columns.keys() {
        if !vector_arguments(request.method).contains(&argument.as_str()) {
            return Err(AppError::Invalid(format!(
                "{} does not read a column for {argument}; it reads {}",
                request.method,
                vector_arguments(request.method).join(", ")
            )));
        }
    }
    let mut arguments = Vec::new();
    for &argument in vector_arguments(request.method) {
        let column = request.columns.get(argument).map_or(argument, String::as_str);
        match index_of(column) {
            Some(index) => arguments.push((argument, index)),
            None if request.columns.contains_key(argument) => {
                return Err(located(Some(1), format!("there is no column {column:?} (given for {argument})")));
            }
            None => {}
        }
    }
    if arguments.is_empty() {
        return Err(located(
            Some(1),
            format!(
                "no column names an argument of {}: expected some of {}",
                request.method,
                vector_arguments(request.method).join(", ")
            ),
        ));
    }
    // Groups in order of first appearance, each a column of values per argument.
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut groups: BTreeMap<Vec<String>, (u64, Vec<Vec<Value>>)> = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|error| located(Some(line), format!("cannot read the row: {error}")))?;
        let key: Vec<String> = group_columns.iter().map(|&i| record[i].to_owned()).collect();
        let entry = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (line, vec![Vec::new(); arguments.len()])
        });
        for (slot, (argument, column)) in arguments.iter().enumerate() {
            let text = record[*column].trim();
            let value = if is_label(argument) {
                Value::String(text.to_owned())
            } else if text.is_empty() || text == "NA" {
                Value::Null
            } else {
                let number: f64 = text.parse().map_err(|_| {
                    located(Some(line), format!("column {}: {text:?} is not a number", headers[*column]))
                })?;
                serde_json::Number::from_f64(number).map(Value::Number).ok_or_else(|| {
                    located(Some(line), format!("column {}: {text:?} is not a finite number", headers[*column]))
                })?
            };
            entry.1[slot].push(value);
        }
    }
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    for key in &order {
        let (first_line, values) = &groups[key];
        let mut input = request.options.clone();
        for ((argument, _), column) in arguments.iter().zip(values) {
            let value = if sums_within_groups(request.method) { sum(column) } else { Value::Array(column.clone()) };
            input.insert((*argument).to_owned(), value);
        }
        let output = super::run(request.method, &Value::Object(input)).map_err(|error| {
            let group = request
                .group_by
                .iter()
                .zip(key)
                .map(|(column, value)| format!("{column}={value}"))
                .collect::<Vec<_>>()
                .join(", ");
            let name = if group.is_empty() { "the table".to_owned() } else { format!("group {group}") };
            located(Some(*first_line), format!("{name}: {error}"))
        })?;
        let results = match output {
            Value::Array(items) => items,
            other => vec![other],
        };
        for result in results {
            let mut row = Map::new();
            for (column, value) in request.group_by.iter().zip(key) {
                row.insert(column.clone(), Value::String(value.clone()));
            }
            if let Value::Object(fields) = result {
                row.extend(fields);
            }
            rows.push(row);
        }
    }
    write_rows(&rows, request.format, out)
        .map_err(|error| AppError::Invalid(format!("writing the results: {error}")))?;
    Ok(order.len())
}

/// The sum of a column, `null` if any value is missing (R's `sum` without `na.rm`).
fn sum(column: &[Value]) -> Value {
    let mut total = 0.0;
    for value in column {
        match value.as_f64() {
            Some(number) => total += number,
            None => return Value::Null,
        }
    }
    serde_json::Number::from_f64(total).map_or(Value::Null, Value::Number)
}

fn write_rows(rows: &[Map<String, Value>], format: TableFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)
        }
        TableFormat::Csv => {
            let mut columns: Vec<&str> = Vec::new();
            for row in rows {
                for key in row.keys() {
                    if !columns.contains(&key.as_str()) {
                        columns.push(key);
                    }
                }
            }
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&columns)?;
            for row in rows {
                let record: Vec<String> = columns
                    .iter()
                    .map(|column| match row.get(*column) {
                        None | Some(Value::Null) => "NA".to_owned(),
                        Some(Value::String(text)) => text.clone(),
                        Some(other) => other.to_string(),
                    })
                    .collect();
                writer.write_record(&record)?;
            }
            writer.flush()
        }
    }
}
