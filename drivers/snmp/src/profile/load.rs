//! Reading profile files and directories, and choosing a device's profile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::problem::{key_path_at, line_of};
use super::validate::validate;
use super::{Problem, Profile, ProfileDirError, ProfileError};
use crate::Oid;

/// All profiles loaded from one directory, ordered by name.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: Vec<Profile>,
}

impl ProfileSet {
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|profile| profile.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.iter()
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The profile that matches a device most closely: a sysDescr match beats none, then the
    /// longest sysObjectID prefix wins; ties go to the first name in order.
    pub fn select(&self, sys_object_id: &Oid, sys_descr: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .filter_map(|profile| {
                Some((
                    profile.match_rule.strength(sys_object_id, sys_descr)?,
                    profile,
                ))
            })
            .fold(
                None,
                |best: Option<(_, &Profile)>, (strength, profile)| match best {
                    Some((best_strength, _)) if best_strength >= strength => best,
                    _ => Some((strength, profile)),
                },
            )
            .map(|(_, profile)| profile)
    }
}

/// Parses and validates one profile's text; `file` names it in errors.
pub fn parse_profile(file: &Path, text: &str) -> Result<Profile, ProfileError> {
    let invalid = |problems| ProfileError::Invalid {
        file: file.to_owned(),
        problems,
    };
    let parsed =
        toml::from_str(text).map_err(|error| invalid(vec![syntax_problem(text, &error)]))?;
    validate(parsed).map_err(invalid)
}

fn syntax_problem(text: &str, error: &toml::de::Error) -> Problem {
    let (key, line) = match error.span() {
        Some(span) => (
            key_path_at(text, span.start),
            Some(line_of(text, span.start)),
        ),
        None => ("(file)".to_owned(), None),
    };
    let message = error.message().trim().to_owned();
    let hint = if message.starts_with("unknown field") {
        "remove the key or correct its spelling; config/profiles/README.md lists every key"
    } else if message.starts_with("missing field") {
        "add the missing key; config/profiles/README.md lists every key"
    } else {
        "correct the value or TOML syntax; config/profiles/README.md shows the expected form"
    };
    let message = match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    };
    Problem {
        key,
        message,
        hint: hint.to_owned(),
    }
}

pub fn load_profile_file(path: &Path) -> Result<Profile, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Unreadable {
        file: path.to_owned(),
        source,
    })?;
    parse_profile(path, &text)
}

/// Loads every `*.toml` profile in `dir`, reporting all invalid files at once.
pub fn load_profiles_dir(dir: &Path) -> Result<ProfileSet, ProfileDirError> {
    let unreadable = |source| ProfileDirError::Unreadable {
        path: dir.to_owned(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(ProfileDirError::Empty {
            path: dir.to_owned(),
        });
    }
    paths.sort();
    let mut errors = Vec::new();
    let mut by_name: BTreeMap<String, (PathBuf, Profile)> = BTreeMap::new();
    for path in paths {
        match load_profile_file(&path) {
            Ok(profile) => match by_name.get(&profile.name) {
                Some((first, _)) => errors.push(ProfileError::Invalid {
                    problems: vec![Problem {
                        key: "name".to_owned(),
                        message: format!(
                            "profile name {:?} is already used by {}",
                            profile.name,
                            first.display()
                        ),
                        hint: "give every profile file a unique name".to_owned(),
                    }],
                    file: path,
                }),
                None => {
                    by_name.insert(profile.name.clone(), (path, profile));
                }
            },
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(ProfileDirError::Invalid { errors });
    }
    Ok(ProfileSet {
        profiles: by_name.into_values().map(|(_, profile)| profile).collect(),
    })
}
