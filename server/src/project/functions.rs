//! The one answer to "which functions is this file part of, and with what configuration",
//! for the server and the CLI alike. A file belongs to the nearest folder above it that is
//! a function folder: one holding a `lambda.toml`, one that is the code folder (`CodeUri`)
//! of a SAM template's functions (a template in that folder or above it, or one named with
//! `--template`), or one holding the console's `lambda_function.py`. In one folder the
//! first of these wins: its own lambda.toml over a template's entry, a template's entry
//! over the console's defaults. A template's code folder may hold several functions (they
//! share a `CodeUri`, even a file). Each folder's functions are loaded once from a
//! [`FileSource`] and kept until told that its files changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::sam::{self, normalize, Template, TEMPLATE_FILES};
use super::source::FileSource;
use super::{load_from, Function, CONFIG_FILE, DEFAULT_MODULE_FILE};

/// Whether `dir` is a function folder of its own in `source`: it holds a `lambda.toml`, or
/// the console's `lambda_function.py` (templates aside: see [`Functions::dir_of`]).
pub fn is_function_dir_in(source: &dyn FileSource, dir: &Path) -> bool {
    source.is_file(&dir.join(CONFIG_FILE)) || source.is_file(&dir.join(DEFAULT_MODULE_FILE))
}

/// The function folder holding `path` in `source`, templates included; see
/// [`Functions::dir_of`] (this one reads the templates it needs afresh).
pub fn function_dir_in(source: &dyn FileSource, path: &Path) -> Option<PathBuf> {
    Functions::default().dir_of(source, path)
}

/// The folder a lookup starts from: a file's folder, or the folder itself. A `.py` path
/// counts as a file even before it is saved.
fn start_of(source: &dyn FileSource, path: &Path) -> Option<PathBuf> {
    if source.is_file(path) || path.extension().is_some_and(|e| e == "py") {
        path.parent().map(Path::to_path_buf)
    } else {
        Some(path.to_path_buf())
    }
}

/// The functions whose code is one folder.
#[derive(Debug)]
pub struct Folder {
    pub dir: PathBuf,
    /// One for a lambda.toml or console folder; one or more, in template order, for a
    /// template's code folder.
    pub functions: Vec<Arc<Function>>,
}

impl Folder {
    /// The functions whose handler module is `path`, with their handler's function name.
    pub fn handlers_in<'a>(
        &'a self,
        path: &'a Path,
    ) -> impl Iterator<Item = (&'a Arc<Function>, &'a str)> + 'a {
        self.functions
            .iter()
            .filter_map(move |f| Some((f, crate::analysis::handler_in(f, path)?)))
    }

    /// The function a command means. `wanted` is a function's id (a template's logical id,
    /// else its name) or its handler's function name (`lambda_handler`, as the code lenses
    /// send it); without it, the folder's only function, or the only one whose handler is
    /// in `path`. `Err` holds the candidates when several qualify, nothing when none does.
    pub fn pick(
        &self,
        path: Option<&Path>,
        wanted: Option<&str>,
    ) -> Result<Arc<Function>, Vec<Arc<Function>>> {
        let mut candidates: Vec<&Arc<Function>> = match wanted {
            Some(wanted) => {
                let by_id: Vec<_> = self.functions.iter().filter(|f| f.id() == wanted).collect();
                if by_id.is_empty() {
                    self.functions
                        .iter()
                        .filter(|f| f.config.handler_parts().map(|(_, name)| name) == Some(wanted))
                        .collect()
                } else {
                    by_id
                }
            }
            None => self.functions.iter().collect(),
        };
        if let (Some(path), true) = (path, candidates.len() > 1) {
            let in_file: Vec<_> = candidates
                .iter()
                .copied()
                .filter(|f| crate::analysis::handler_in(f, path).is_some())
                .collect();
            if !in_file.is_empty() {
                candidates = in_file;
            }
        }
        match candidates.as_slice() {
            [only] => Ok(Arc::clone(only)),
            several => Err(several.iter().map(|f| Arc::clone(f)).collect()),
        }
    }
}

/// Loaded functions by folder, and the templates read for them.
#[derive(Debug, Default)]
pub struct Functions {
    folders: HashMap<PathBuf, Arc<Folder>>,
    /// Templates by path, read once (`None`: not a file in the source).
    templates: HashMap<PathBuf, Option<Arc<Template>>>,
    /// Templates with other names than template.yaml / template.yml, consulted for every
    /// folder.
    extra_templates: Vec<PathBuf>,
}

impl Functions {
    /// Functions that also come from `templates` (files with other names).
    pub fn with_templates(templates: Vec<PathBuf>) -> Self {
        Functions {
            extra_templates: templates,
            ..Functions::default()
        }
    }

    /// The templates with other names this facade consults.
    pub fn extra_templates(&self) -> &[PathBuf] {
        &self.extra_templates
    }

    /// The template at `path`, read from `source` on first use; `None` when there is no
    /// such file.
    pub fn template(&mut self, source: &dyn FileSource, path: &Path) -> Option<Arc<Template>> {
        self.templates
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let text = source.read_lossy(path)?;
                Some(Arc::new(sam::read(path, &text)))
            })
            .clone()
    }

    /// The templates that may describe `dir`: the first template file of each folder from
    /// `dir` up, then the extra ones.
    pub fn templates_above(&mut self, source: &dyn FileSource, dir: &Path) -> Vec<Arc<Template>> {
        let mut found: Vec<Arc<Template>> = Vec::new();
        let mut add = |template: Option<Arc<Template>>| {
            // `.` and `` are one folder: one template.
            if let Some(template) = template {
                let key = normalize(&template.path);
                if !found.iter().any(|t| normalize(&t.path) == key) {
                    found.push(template);
                }
            }
        };
        for folder in dir.ancestors() {
            let file = TEMPLATE_FILES
                .iter()
                .map(|name| folder.join(name))
                .find(|path| source.is_file(path));
            add(file.and_then(|path| self.template(source, &path)));
        }
        for path in self.extra_templates.clone() {
            add(self.template(source, &path));
        }
        found
    }

    /// The function folder holding `path` (a file or folder; a folder may be one itself):
    /// the nearest folder above it with a `lambda.toml`, a template's functions or the
    /// console's `lambda_function.py`.
    pub fn dir_of(&mut self, source: &dyn FileSource, path: &Path) -> Option<PathBuf> {
        let start = start_of(source, path)?;
        let code_dirs: Vec<PathBuf> = self
            .templates_above(source, &start)
            .iter()
            .flat_map(|t| t.functions.iter().map(|f| f.function.dir.clone()))
            .collect();
        start
            .ancestors()
            .find(|dir| is_function_dir_in(source, dir) || code_dirs.contains(&normalize(dir)))
            .map(Path::to_path_buf)
    }

    /// The functions in `dir`, loaded from `source` on first use: its lambda.toml's, else
    /// the templates' functions whose code folder it is, else the console's defaults.
    pub fn get(&mut self, source: &dyn FileSource, dir: &Path) -> Arc<Folder> {
        if let Some(folder) = self.folders.get(dir) {
            return folder.clone();
        }
        let mut functions = Vec::new();
        if !source.is_file(&dir.join(CONFIG_FILE)) {
            let key = normalize(dir);
            for template in self.templates_above(source, dir) {
                for described in template.functions.iter().filter(|f| f.function.dir == key) {
                    // The folder as the caller wrote it, so that paths compare as written.
                    let mut function = described.function.clone();
                    function.dir = dir.to_path_buf();
                    if !functions
                        .iter()
                        .any(|f: &Arc<Function>| f.template == function.template)
                    {
                        functions.push(Arc::new(function));
                    }
                }
            }
        }
        if functions.is_empty() {
            functions.push(Arc::new(load_from(source, dir)));
        }
        let folder = Arc::new(Folder {
            dir: dir.to_path_buf(),
            functions,
        });
        self.folders.insert(dir.to_path_buf(), folder.clone());
        folder
    }

    /// The functions a file or folder belongs to, if any.
    pub fn of(&mut self, source: &dyn FileSource, path: &Path) -> Option<Arc<Folder>> {
        let dir = self.dir_of(source, path)?;
        Some(self.get(source, &dir))
    }

    /// Drop the functions in `dir`: their configuration or files changed.
    pub fn forget(&mut self, dir: &Path) {
        self.folders.remove(dir);
    }

    /// The template at `path` changed (or appeared, or went away): read it again when next
    /// needed, and every folder with it, since any may be its code folder.
    pub fn forget_template(&mut self, path: &Path) {
        self.templates.remove(path);
        self.folders.clear();
    }

    /// Drop every function and template.
    pub fn clear(&mut self) {
        self.folders.clear();
        self.templates.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::source::Disk;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_file_belongs_to_the_nearest_function_folder() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        write(&root.join("fn/lambda.toml"), "memory = 256\n");
        write(&root.join("fn/pkg/helpers.py"), "");
        write(&root.join("django/settings.py"), "SECRET_KEY = 'x'\n");

        assert_eq!(
            function_dir_in(&Disk, &root.join("fn/pkg/helpers.py")),
            Some(root.join("fn"))
        );
        assert_eq!(
            function_dir_in(&Disk, &root.join("fn")),
            Some(root.join("fn"))
        );
        // A file not yet saved still looks for its folder from its parent.
        assert_eq!(
            function_dir_in(&Disk, &root.join("fn/new.py")),
            Some(root.join("fn"))
        );
        assert_eq!(
            function_dir_in(&Disk, &root.join("django/settings.py")),
            None
        );

        let mut functions = Functions::default();
        let first = functions
            .of(&Disk, &root.join("fn/pkg/helpers.py"))
            .unwrap();
        assert_eq!(first.functions[0].config.memory.value, 256);
        // Kept until forgotten: the same load, not a new one.
        write(&root.join("fn/lambda.toml"), "memory = 512\n");
        let again = functions.of(&Disk, &root.join("fn")).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        functions.forget(&root.join("fn"));
        let reloaded = functions.of(&Disk, &root.join("fn")).unwrap();
        assert_eq!(reloaded.functions[0].config.memory.value, 512);
    }

    const TEMPLATE: &str = "\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.first
  Second:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src
      Handler: app.second
  Shared:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.first
      MemorySize: 512
  Own:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: own/
      Handler: app.handler
  Console:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: console/
      Handler: lambda_function.lambda_handler
      Timeout: 10
";

    #[test]
    fn template_code_folders_hold_their_functions() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        write(&root.join("template.yaml"), TEMPLATE);
        write(
            &root.join("src/app.py"),
            "def first(e, c): pass\ndef second(e, c): pass\n",
        );
        write(&root.join("src/lib/util.py"), "");
        write(
            &root.join("own/lambda.toml"),
            "handler = \"app.handler\"\nmemory = 1024\n",
        );
        write(&root.join("console/lambda_function.py"), "");

        let mut functions = Functions::default();
        assert_eq!(
            functions.dir_of(&Disk, &root.join("src/lib/util.py")),
            Some(root.join("src"))
        );
        let src = functions.of(&Disk, &root.join("src/app.py")).unwrap();
        let ids: Vec<&str> = src.functions.iter().map(|f| f.id()).collect();
        assert_eq!(ids, ["First", "Second", "Shared"]);
        assert!(src.functions.iter().all(|f| f.dir == root.join("src")));
        assert_eq!(src.functions[0].source_label(), "template.yaml#First");
        let app = root.join("src/app.py");
        let handlers: Vec<(&str, &str)> = src
            .handlers_in(&app)
            .map(|(f, name)| (f.id(), name))
            .collect();
        assert_eq!(
            handlers,
            [
                ("First", "first"),
                ("Second", "second"),
                ("Shared", "first")
            ]
        );

        // Picking one: by logical id, by a handler name that only one has, never by guess.
        assert_eq!(src.pick(Some(&app), Some("Shared")).unwrap().id(), "Shared");
        assert_eq!(src.pick(Some(&app), Some("second")).unwrap().id(), "Second");
        assert_eq!(src.pick(Some(&app), Some("first")).unwrap_err().len(), 2);
        assert_eq!(src.pick(Some(&app), None).unwrap_err().len(), 3);
        assert!(src.pick(None, Some("third")).unwrap_err().is_empty());

        // A folder's own lambda.toml wins; the template's entry wins over console defaults.
        let own = functions.of(&Disk, &root.join("own")).unwrap();
        assert_eq!(own.functions.len(), 1);
        assert_eq!(own.functions[0].config.memory.value, 1024);
        assert_eq!(own.functions[0].source_label(), "lambda.toml");
        let console = functions
            .of(&Disk, &root.join("console/lambda_function.py"))
            .unwrap();
        assert_eq!(console.functions[0].id(), "Console");
        assert_eq!(console.functions[0].config.timeout.value, 10);

        // A changed template is read again.
        write(
            &root.join("template.yaml"),
            &TEMPLATE.replace("MemorySize: 512", "MemorySize: 256"),
        );
        functions.forget_template(&root.join("template.yaml"));
        let src = functions.of(&Disk, &app).unwrap();
        assert_eq!(
            src.pick(None, Some("Shared")).unwrap().config.memory.value,
            256
        );
    }

    #[test]
    fn relative_paths_and_templates_with_other_names() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        write(
            &root.join("infra/stack.yaml"),
            &TEMPLATE.replace("src", "../src"),
        );
        write(&root.join("src/app.py"), "");
        // Not found from below: the template is not in a folder above the code.
        assert_eq!(function_dir_in(&Disk, &root.join("src/app.py")), None);
        let mut functions = Functions::with_templates(vec![root.join("infra/stack.yaml")]);
        let src = functions.of(&Disk, &root.join("src/app.py")).unwrap();
        assert_eq!(src.dir, root.join("src"));
        assert_eq!(src.functions[0].source_label(), "stack.yaml#First");
        assert_eq!(normalize(Path::new("./a/../b/./c/")), Path::new("b/c"));
        assert_eq!(normalize(Path::new("../a")), Path::new("../a"));
        assert_eq!(normalize(Path::new("")), Path::new("."));
    }
}
