//! Which function a command on one function (`invoke`, `serve`, `package`, `deploy`) acts
//! on: a folder, and, where the folder holds several functions of a SAM template (or is the
//! template's own folder), the one `--function` names. The lookup is the facade's, as for
//! `check` and the editor.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;

use crate::project::sam::normalize;
use crate::project::{Disk, Function, Functions, CONFIG_FILE};

/// The arguments that name one function.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Target {
    /// The function folder, or a SAM template's folder (default: the current folder).
    pub dir: Option<PathBuf>,
    /// A SAM template's function, by logical id: when the folder holds several, or from the
    /// template's folder.
    #[arg(long, value_name = "LOGICAL_ID")]
    pub function: Option<String>,
    /// A SAM template with another name than template.yaml / template.yml.
    #[arg(long, value_name = "FILE")]
    pub template: Vec<PathBuf>,
}

impl Target {
    /// The function meant; the error says what there is to choose from.
    pub fn load(&self) -> anyhow::Result<Arc<Function>> {
        let given = self.dir.as_deref().unwrap_or(Path::new("."));
        // Absolute, so that templates above the current folder count.
        let dir = &normalize(&std::path::absolute(given).unwrap_or_else(|_| given.to_path_buf()));
        if !dir.is_dir() {
            bail!(
                "{} is not a folder: pass a function folder (one holding lambda_function.py or lambda.toml, or a SAM template's code folder)",
                given.display()
            );
        }
        for template in &self.template {
            if !template.is_file() {
                bail!("{} is not a file", template.display());
            }
        }
        let mut functions = Functions::with_templates(self.template.clone());
        let wanted = self.function.as_deref();
        if functions.dir_of(&Disk, dir).as_deref() == Some(dir) {
            let folder = functions.get(&Disk, dir);
            match folder.pick(None, wanted) {
                Ok(function) => return Ok(function),
                Err(several) if !several.is_empty() => bail!(
                    "{} holds several functions: {}; pick one with --function <LogicalId>",
                    dir.display(),
                    list(&several)
                ),
                // `--function` names no function of this folder: a template's, maybe.
                Err(_) => {}
            }
        }
        let templates = functions.templates_above(&Disk, dir);
        let in_templates = templates.iter().flat_map(|t| &t.functions);
        if let Some(id) = wanted {
            let Some(found) = in_templates.clone().find(|f| f.logical_id == id) else {
                let known: Vec<String> = in_templates
                    .map(|f| format!("`{}`", f.logical_id))
                    .collect();
                if known.is_empty() {
                    bail!(
                        "no template.yaml in {} or above it describes a function `{id}`",
                        dir.display()
                    )
                }
                bail!(
                    "the template has no Python function `{id}`; its functions: {}",
                    known.join(", ")
                )
            };
            return described(&mut functions, &found.function.dir, id);
        }
        // From a template's own folder, its functions.
        let here = normalize(dir);
        let own: Vec<_> = templates
            .iter()
            .filter(|t| t.path.parent().map(normalize) == Some(here.clone()))
            .flat_map(|t| &t.functions)
            .collect();
        match own.as_slice() {
            [] => Ok(functions.get(&Disk, dir).functions[0].clone()),
            [only] => described(&mut functions, &only.function.dir, &only.logical_id),
            several => {
                let ids: Vec<String> = several
                    .iter()
                    .map(|f| format!("`{}`", f.logical_id))
                    .collect();
                bail!(
                    "the template in {} has several functions: {}; pick one with --function <LogicalId>",
                    dir.display(),
                    ids.join(", ")
                )
            }
        }
    }
}

/// The template's function `id`, whose code is in `code`, as the facade has it.
fn described(functions: &mut Functions, code: &Path, id: &str) -> anyhow::Result<Arc<Function>> {
    match functions.get(&Disk, code).pick(None, Some(id)) {
        Ok(function) => Ok(function),
        Err(_) => bail!(
            "`{id}`'s code folder {} has its own {CONFIG_FILE}, which lambda-ls uses instead of the template's entry: run the command on that folder",
            code.display()
        ),
    }
}

/// `First` (app.first), `Second` (app.second).
fn list(functions: &[Arc<Function>]) -> String {
    functions
        .iter()
        .map(|f| format!("`{}` ({})", f.id(), f.config.handler.value))
        .collect::<Vec<_>>()
        .join(", ")
}
