//! Patient-level activity files: the column layout and a streaming per-month summary.
//!
//! A file is CSV with a header row naming the columns in [`COLUMNS`] (any order). The summary
//! here counts rows whose provider, point of delivery and date can be read; full validation,
//! de-duplication and pricing are the monitoring engine's job.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::AnalyticsError;

/// The columns of an activity file, in the order the generator writes them.
pub const COLUMNS: [&str; 12] = [
    "record_id",
    "provider_code",
    "commissioner_code",
    "patient_id",
    "lsoa_code",
    "age",
    "sex",
    "pod",
    "tfc",
    "hrg",
    "activity_date",
    "los",
];

/// Activity and bed days for one provider, point of delivery and month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthSummary {
    pub provider_code: String,
    pub pod: String,
    pub month: String,
    pub activity: i64,
    pub los_days: i64,
    /// The first line (1-based, the header is line 1) counted in this group.
    pub first_line: u64,
}

/// Streams an activity CSV and counts rows by provider, point of delivery and month.
/// Rows whose date or length of stay cannot be read are counted in the second value.
pub fn summarise_csv(path: &Path) -> Result<(Vec<MonthSummary>, u64), AnalyticsError> {
    let file = File::open(path).map_err(|source| AnalyticsError::Io { file: path.to_owned(), source })?;
    summarise_reader(file, path)
}

/// As [`summarise_csv`], from any reader; `path` names the input in errors.
pub fn summarise_reader(input: impl Read, path: &Path) -> Result<(Vec<MonthSummary>, u64), AnalyticsError> {
    let io = |source| AnalyticsError::Io { file: path.to_owned(), source };
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut header_line = String::new();
    reader.read_line(&mut header_line).map_err(io)?;
    let header: Vec<String> =
        header_line.trim_start_matches('\u{feff}').trim_end().split(',').map(str::to_owned).collect();
    let index = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| AnalyticsError::Data {
            file: path.to_owned(),
            line: 1,
            message: format!("missing column '{name}'"),
        })
    };
    let (provider_idx, pod_idx, date_idx, los_idx) =
        (index("provider_code")?, index("pod")?, index("activity_date")?, index("los")?);
    let mut totals: BTreeMap<(String, String, String), (i64, i64, u64)> = BTreeMap::new();
    let mut n_unreadable = 0;
    let mut line = String::new();
    let mut line_number = 1;
    loop {
        line_number += 1;
        line.clear();
        if reader.read_line(&mut line).map_err(io)? == 0 {
            break;
        }
        let fields: Vec<&str> = line.trim_end().split(',').collect();
        let (Some(provider), Some(pod), Some(date), Some(los)) =
            (fields.get(provider_idx), fields.get(pod_idx), fields.get(date_idx), fields.get(los_idx))
        else {
            n_unreadable += 1;
            continue;
        };
        let month = date.get(..7).filter(|m| m.as_bytes().get(4) == Some(&b'-') && date.len() == 10);
        let (Some(month), Ok(los)) = (month, los.parse::<i64>()) else {
            n_unreadable += 1;
            continue;
        };
        let entry =
            totals.entry(((*provider).to_owned(), (*pod).to_owned(), month.to_owned())).or_insert((0, 0, line_number));
        entry.0 += 1;
        entry.1 += los.max(0);
    }
    let summary = totals
        .into_iter()
        .map(|((provider_code, pod, month), (activity, los_days, first_line))| MonthSummary {
            provider_code,
            pod,
            month,
            activity,
            los_days,
            first_line,
        })
        .collect();
    Ok((summary, n_unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_by_provider_pod_and_month() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(
            &path,
            "record_id,provider_code,commissioner_code,patient_id,lsoa_code,age,sex,pod,tfc,hrg,activity_date,los\n\
             1,R9A,Q99,P1,E01000001,40,1,EL,110,HN12F,2025-04-03,3\n\
             2,R9A,Q99,P2,E01000001,41,2,EL,110,HN12F,2025-04-20,2\n\
             3,R9A,Q99,P3,E01000001,42,2,AE,180,VB09Z,2025-05-01,0\n\
             4,R9A,Q99,P3,E01000001,42,2,AE,180,VB09Z,bad-date,0\n",
        )
        .unwrap();
        let (summary, n_unreadable) = summarise_csv(&path).unwrap();
        assert_eq!(n_unreadable, 1);
        assert_eq!(summary.len(), 2);
        assert_eq!(
            (summary[0].pod.as_str(), summary[0].activity, summary[0].los_days, summary[0].first_line),
            ("AE", 1, 0, 4)
        );
        assert_eq!((summary[1].month.as_str(), summary[1].activity, summary[1].los_days), ("2025-04", 2, 5));
    }

    #[test]
    fn a_missing_column_names_the_file_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "record_id,provider_code\n1,R9A\n").unwrap();
        let error = summarise_csv(&path).unwrap_err().to_string();
        assert!(error.ends_with("a.csv:1: missing column 'pod'"), "{error}");
    }
}
