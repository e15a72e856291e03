//! What the peers do to a release's binary before running it.

use std::path::Path;

use visor_core::confine::Confined;

/// Gives the binary `program` inside the release folder `dir` its execute bits (a+x) if it has
/// none, as Nymvisor and Cosmovisor do. Through the folder, never following a link: the mode of
/// what a link points to is not ours to change.
pub fn ensure_executable(dir: &Path, program: &Path) -> std::io::Result<()> {
    let relative = program.strip_prefix(dir).unwrap_or(program);
    if let Ok(confined) = Confined::open(dir)
        && let Ok(mode) = confined.mode(relative)
        && mode & 0o111 == 0
    {
        tracing::info!(binary = %program.display(), "setting the execute bits of the binary (a+x)");
        confined.set_mode(relative, (mode | 0o111) & 0o7755)?;
    }
    Ok(())
}
