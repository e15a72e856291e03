//! The one owner of the run's persisted state: the status file, the record of the node's
//! processes, and the history. The run loop sends it values and commands and keeps the only
//! in-memory copy; the store writes them in order, off the loop, through the atomic writer.
//! Every write to the history during a run — the switch transaction's record as much as a
//! later confirmation or downtime — goes through one lane, one at a time, so two writers can
//! never read the same file and overwrite each other's change.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::event::{Event, StoreCmd};
use crate::durable::LatestWriter;
use crate::history::History;
use crate::home::Home;
use crate::node::Face;
use crate::status::Status;
use crate::supervise::{GroupRecord, RecordKeeper};

/// Work on the history lane.
enum HistoryJob {
    Change(StoreCmd),
    /// Work that writes the history itself (a switch) and reports with an event (or by its own
    /// events, sent as it goes).
    Run {
        worker: &'static str,
        work: Box<dyn FnOnce() -> Option<Event> + Send>,
    },
}

pub(crate) struct Store {
    status: LatestWriter<Status>,
    records: RecordKeeper,
    history: mpsc::UnboundedSender<HistoryJob>,
    history_task: tokio::task::JoinHandle<()>,
}

impl Store {
    pub(crate) fn start(
        home: &Home,
        face: Arc<dyn Face>,
        cgroup: Option<PathBuf>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Self {
        let root = home.root().to_owned();
        // Whether an upgrade's folder is there is a look at the disk: done here, as the file is
        // written, not in the run loop.
        let status = LatestWriter::start_with(home.status_file(), "status file", move |status: &mut Status| {
            if let Some(pending) = status.pending.as_mut()
                && let Some(folder) = &pending.folder
            {
                let dir = root.join(folder);
                pending.folder_present = if pending.name.is_some() { !face.needs_staging(&dir) } else { dir.is_dir() };
            }
        });
        let records = RecordKeeper::start(home.groups_file(), cgroup);
        let (history, mut rx) = mpsc::unbounded_channel::<HistoryJob>();
        let path = home.history_file();
        let history_task = tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                match job {
                    HistoryJob::Change(cmd) => {
                        let path = path.clone();
                        let _ = tokio::task::spawn_blocking(move || apply(&path, &cmd)).await;
                    }
                    HistoryJob::Run { worker, work } => {
                        // A panic is reported too, so no state waits for an answer that will not come.
                        let event = tokio::task::spawn_blocking(work)
                            .await
                            .unwrap_or_else(|e| Some(Event::WorkerPanicked { worker, message: e.to_string() }));
                        if let Some(event) = event {
                            let _ = events.send(event);
                        }
                    }
                }
            }
        });
        Self { status, records, history, history_task }
    }

    pub(crate) fn publish(&self, status: Status) {
        self.status.publish(status);
    }

    pub(crate) fn groups(&self, groups: Vec<GroupRecord>) {
        self.records.publish(groups);
    }

    pub(crate) fn apply(&self, cmd: StoreCmd) {
        let _ = self.history.send(HistoryJob::Change(cmd));
    }

    /// Runs `work`, which writes the history (or reads what a switch writes), in its turn on the
    /// history lane, on a blocking thread; the event it ends with goes to the run loop.
    pub(crate) fn run_on_history(&self, worker: &'static str, work: impl FnOnce() -> Option<Event> + Send + 'static) {
        let _ = self.history.send(HistoryJob::Run { worker, work: Box::new(work) });
    }

    /// Writes what is left, the final status last, and waits until it is on disk.
    pub(crate) async fn finish(self, status: Status) {
        drop(self.history);
        let _ = self.history_task.await;
        self.records.finish().await;
        self.status.finish(status).await;
    }
}

fn apply(path: &std::path::Path, cmd: &StoreCmd) {
    let result = History::update(path, |h| match cmd {
        StoreCmd::Confirm { id, at } => match h.find_mut(id) {
            Some(r) => r.confirmed_at = Some(*at),
            None => {
                tracing::warn!(switch = id, "the switch's confirmation has no record to go to (its recording failed)")
            }
        },
        StoreCmd::Downtime { id, ms } => match h.find_mut(id) {
            Some(r) => r.downtime_ms = Some(*ms),
            None => tracing::warn!(switch = id, "the switch's downtime has no record to go to (its recording failed)"),
        },
    });
    if let Err(e) = result {
        tracing::warn!(error = e.to_string(), "cannot record the switch's outcome in the history");
    }
}
