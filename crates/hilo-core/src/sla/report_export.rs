//! The Reports view's "Download CSV": the report over a period written as CSV (the same
//! columns as `hilo report --format csv`) to a new file in a folder, never overwriting.

use std::io::Write;
use std::path::{Path, PathBuf};

use hilo_model::sla_config::SlaReportExport;

use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::sla::report;

/// The user's Downloads folder, else their home, else the workspace directory.
pub fn default_export_dir(workspace: &Path) -> PathBuf {
    dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(|| workspace.to_owned())
}

/// `hilo-sla-report-2026-03-01_2026-03-31.csv` in UTC dates of `[from, to)`.
fn file_stem(from: i64, to: i64) -> String {
    let day = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_else(|_| ms.to_string())
    };
    format!("hilo-sla-report-{}_{}", day(from), day(to.saturating_sub(1)))
}

/// Creates `stem.csv`, or `stem (2).csv`… when it exists; never replaces a file.
fn create_new(dir: &Path, stem: &str) -> Result<(PathBuf, std::fs::File)> {
    for n in 1..1000 {
        let name = if n == 1 { format!("{stem}.csv") } else { format!("{stem} ({n}).csv") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(CoreError::io(format!("cannot create {}", path.display()), e)),
        }
    }
    Err(CoreError::InvalidInput(format!("{} already holds 999 copies of this report", dir.display())))
}

impl AppCore {
    /// Computes the report for `[from, to)` and writes it as CSV into `dir`.
    pub async fn sla_report_export(&self, from: i64, to: i64, now: i64, dir: PathBuf) -> Result<SlaReportExport> {
        if to <= from {
            return Err(CoreError::InvalidInput("the period must end after it starts".into()));
        }
        let report = self.sla_report(from, to, now).await?;
        let csv = report::to_csv(&report);
        let rows = u32::try_from(report.rows.len()).unwrap_or(u32::MAX);
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(format!("cannot create {}", dir.display()), e))?;
            let (path, mut file) = create_new(&dir, &file_stem(from, to))?;
            file.write_all(csv.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| CoreError::io(format!("cannot write {}", path.display()), e))?;
            Ok(SlaReportExport { path: path.display().to_string(), rows })
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_period_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("temp dir");
        let stem = file_stem(1_772_323_200_000, 1_774_915_200_000);
        assert_eq!(stem, "hilo-sla-report-2026-03-01_2026-03-30", "the last day included, not the end instant");
        let (first, _) = create_new(dir.path(), &stem).expect("first");
        let (second, _) = create_new(dir.path(), &stem).expect("second");
        assert_ne!(first, second, "a second export gets its own file");
        assert!(second.display().to_string().ends_with("(2).csv"), "numbered like a browser download");
    }
}
