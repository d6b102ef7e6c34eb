//! `samconfig.toml` (or `.yaml` / `.yml`) next to a template: the stack name, region and
//! bucket `sam deploy` uses, read from the `default` environment's `deploy`, then `sync`,
//! then `global` parameters, as SAM CLI does.

use std::path::{Path, PathBuf};

use super::yaml;

/// The files SAM CLI reads, in its order.
pub const SAMCONFIG_FILES: &[&str] = &["samconfig.toml", "samconfig.yaml", "samconfig.yml"];

/// What lambda-ls needs from a samconfig file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SamConfig {
    pub path: PathBuf,
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub s3_bucket: Option<String>,
}

/// The command sections whose `parameters` apply to a deploy, most specific first.
const SECTIONS: &[&str] = &["deploy", "sync", "global"];

/// A parameter of a command section: (section, key) → value.
type Lookup = Box<dyn Fn(&str, &str) -> Option<String>>;

/// The samconfig file in `dir`, read; `Ok(None)` when there is none.
pub fn read(dir: &Path) -> Result<Option<SamConfig>, String> {
    let Some(path) = SAMCONFIG_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
    else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lookup: Lookup = if path.extension().is_some_and(|e| e == "toml") {
        let doc = toml_edit::Document::parse(text.clone())
            .map_err(|e| format!("{} is not valid TOML: {}", path.display(), e.message()))?;
        Box::new(move |section, key| {
            doc.as_table()
                .get("default")?
                .get(section)?
                .get("parameters")?
                .get(key)?
                .as_str()
                .map(str::to_string)
        })
    } else {
        let root = yaml::parse(&text)
            .map_err(|e| format!("{} is not valid YAML: {}", path.display(), e.message))?;
        Box::new(move |section, key| {
            root.get("default")?
                .get(section)?
                .get("parameters")?
                .get(key)?
                .as_str()
                .map(str::to_string)
        })
    };
    let first = |key: &str| SECTIONS.iter().find_map(|section| lookup(section, key));
    Ok(Some(SamConfig {
        stack_name: first("stack_name"),
        region: first("region"),
        s3_bucket: first("s3_bucket"),
        path,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_region_and_bucket_from_toml_or_yaml() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Ok(None));
        std::fs::write(
            dir.path().join("samconfig.toml"),
            "version = 0.1\n[default.global.parameters]\nstack_name = \"global-name\"\nregion = \"eu-west-1\"\n\n[default.deploy.parameters]\nstack_name = \"shop\"\ns3_bucket = \"artifacts\"\n",
        )
        .unwrap();
        let config = read(dir.path()).unwrap().unwrap();
        assert_eq!(config.stack_name.as_deref(), Some("shop"));
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.s3_bucket.as_deref(), Some("artifacts"));

        std::fs::remove_file(dir.path().join("samconfig.toml")).unwrap();
        std::fs::write(
            dir.path().join("samconfig.yaml"),
            "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      stack_name: from-yaml\n",
        )
        .unwrap();
        let config = read(dir.path()).unwrap().unwrap();
        assert_eq!(config.stack_name.as_deref(), Some("from-yaml"));
        assert_eq!(config.region, None);

        std::fs::write(dir.path().join("samconfig.yaml"), "default: [\n").unwrap();
        assert!(read(dir.path()).unwrap_err().contains("not valid YAML"));
    }
}
