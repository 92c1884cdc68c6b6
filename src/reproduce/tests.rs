use super::*;
use crate::synth::model::SynthConfig;

const SEED_SPEC: &str = include_str!("../../python/miroir/specs/seed-kpam.toml");

fn parse(text: &str) -> Result<Spec> {
    parse_spec(text, "spec.toml", PathBuf::from("."))
}

fn spec_error(text: &str) -> (usize, String, String) {
    match parse(text) {
        Err(MiroirError::Spec { line, key, detail, .. }) => (line, key, detail),
        other => panic!("expected a spec error, got {other:?}"),
    }
}

fn small_study() -> Study {
    synth::synthetic_study(&SynthConfig { studies: 3, employees: 1500, customers: 6000, seed: 4, wave: 0 }).unwrap()
}

const HEAD: &str = "title = \"t\"\n[data]\nsynthetic = { studies = 3, employees = 1500, customers = 6000, seed = 4 }\n";

#[test]
fn builtin_seed_spec_passes() {
    let spec = parse(SEED_SPEC).unwrap();
    assert_eq!(spec.indicators.len(), 8);
    let rows = evaluate(&spec, &load_data(&spec, None).unwrap()).unwrap();
    for r in &rows {
        assert!(r.passed, "{r:?}");
    }
    assert_eq!(rows[7].check, "published in 95% CI");
    assert_eq!(rows[6].check, "computed > published");
}

#[test]
fn unknown_key_names_line_and_key() {
    let text = format!("{HEAD}\n[[indicator]]\nid = \"a\"\nstatistic = \"has_ideas\"\npublished = 0.5\ntolerence = 0.02\n");
    let (line, key, detail) = spec_error(&text);
    assert_eq!((line, key.as_str()), (9, "tolerence"));
    assert!(detail.starts_with("indicator 'a': unknown key 'tolerence' (expected one of"), "{detail}");
    let msg = parse(&text).unwrap_err().to_string();
    assert!(msg.starts_with("spec.toml:9: indicator 'a': unknown key 'tolerence'"), "{msg}");
}

#[test]
fn wrong_type_unknown_statistic_and_missing_key() {
    let base = |body: &str| format!("{HEAD}[[indicator]]\nid = \"a\"\n{body}");
    let (line, key, detail) = spec_error(&base("statistic = \"has_ideas\"\npublished = \"high\"\ntolerance = 0.1\n"));
    assert_eq!((line, key.as_str()), (7, "published"));
    assert!(detail.contains("needs a number"), "{detail}");
    let (line, key, _) = spec_error(&base("statistic = \"has_ideas\"\npublished = 0.5\ntolerance = \"x\"\n"));
    assert_eq!((line, key.as_str()), (8, "tolerance"));
    let (line, key, detail) = spec_error(&base("statistic = \"median_joy\"\npublished = 0.5\ntolerance = 0.1\n"));
    assert_eq!((line, key.as_str()), (6, "statistic"));
    assert!(detail.contains("unknown statistic 'median_joy'"), "{detail}");
    let (line, key, _) = spec_error(&base("statistic = \"has_ideas\"\ntolerance = 0.1\n"));
    assert_eq!((line, key.as_str()), (4, "published"));
    let (line, key, _) = spec_error(&base("statistic = \"has_ideas\"\npublished = 0.5\ntolerance = 0.1\nwithin_ci = true\n"));
    assert_eq!((line, key.as_str()), (9, "within_ci"));
    let (line, key, _) = spec_error(&base("statistic = \"has_ideas\"\npublished = 0.5\n"));
    assert_eq!((line, key.as_str()), (4, "tolerance"));
    let (line, key, detail) = spec_error(&base("statistic = \"share\"\ncolumn = \"x\"\ntheme = \"y\"\npublished = 0.5\ntolerance = 0.1\n"));
    assert_eq!((line, key.as_str()), (8, "theme"));
    assert!(detail.contains("does not apply to statistic 'share'"), "{detail}");
    let (line, key, _) = spec_error(&base("statistic = \"has_ideas\"\npublished = 0.5\ntolerance = 0.1\nfilter = { study = 3 }\n"));
    assert_eq!((line, key.as_str()), (9, "study"));
    let (line, _, detail) = spec_error("title = = 3\n");
    assert_eq!(line, 1);
    assert!(detail.starts_with("invalid TOML"), "{detail}");
}

#[test]
fn missing_data_file_names_the_line() {
    let dir = std::env::temp_dir();
    let text = "[data]\nemployees = \"nope/employees.csv\"\ncustomers = \"nope/customers.csv\"\n\
                [[indicator]]\nid = \"a\"\nstatistic = \"has_ideas\"\npublished = 0.5\ntolerance = 0.1\n";
    let spec = parse_spec(text, "spec.toml", dir).unwrap();
    match load_data(&spec, None) {
        Err(MiroirError::Spec { line, key, .. }) => assert_eq!((line, key.as_str()), (2, "employees")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn generic_statistics_agree_with_direct_computation() {
    let study = small_study();
    let text = format!(
        "{HEAD}\
[[indicator]]\nid = \"never\"\nstatistic = \"share\"\ncolumn = \"asked_about_customers\"\nequals = \"never\"\npublished = 0.5\nabove = true\n\
[[indicator]]\nid = \"ideas_front\"\nstatistic = \"share\"\ncolumn = \"has_ideas\"\nfilter = {{ customer_facing = true }}\npublished = 0.5\ntolerance = 1\n\
[[indicator]]\nid = \"eng\"\nstatistic = \"mean\"\ncolumn = \"engagement\"\npublished = 60\nwithin_ci = true\n\
[[indicator]]\nid = \"sat\"\nstatistic = \"share_satisfied\"\npublished = 0.5\nrelative_tolerance = 0.01\n\
[[indicator]]\nid = \"gap\"\nstatistic = \"engagement_gap\"\nlevel = \"largest\"\npublished = 20\ntolerance = 100\n"
    );
    let spec = parse(&text).unwrap();
    let rows = evaluate(&spec, &study).unwrap();
    let e = study.employees().unwrap();
    let asked = strs(e, "asked_about_customers").unwrap();
    let never = asked.iter().filter(|a| **a == "never").count() as f64 / asked.len() as f64;
    assert!((rows[0].computed - never).abs() < 1e-12);
    let cf = bools(e, "customer_facing").unwrap();
    let ideas = bools(e, "has_ideas").unwrap();
    let (k, n) = (0..e.height()).filter(|&i| cf[i] == Some(true)).fold((0, 0), |(k, n), i| {
        (k + usize::from(ideas[i] == Some(true)), n + 1)
    });
    assert_eq!(rows[1].n, n as u64);
    assert!((rows[1].computed - k as f64 / n as f64).abs() < 1e-12);
    let eng = floats(e, "engagement").unwrap();
    assert!((rows[2].computed - mean(&eng)).abs() < 1e-9);
    assert!(rows[2].ci_low < rows[2].computed && rows[2].computed < rows[2].ci_high);
    let sat = floats(study.customers().unwrap(), "satisfaction").unwrap();
    let share = sat.iter().filter(|s| **s >= 7.0).count() as f64 / sat.len() as f64;
    assert!((rows[3].computed - share).abs() < 1e-12);
    assert_eq!(rows[3].passed, (share - 0.5).abs() <= 0.005);
    assert!(rows[4].note.as_deref().unwrap().starts_with("study '"));
}

#[test]
fn filters_and_moments() {
    let study = small_study();
    let names = study.study_names().unwrap();
    let themes = theme_rows(&study, &MomentOptions::default()).unwrap();
    let t = &themes[0];
    let text = format!(
        "{HEAD}\
[[indicator]]\nid = \"one\"\nstatistic = \"has_ideas\"\nfilter = {{ study = \"{}\" }}\npublished = 0.5\ntolerance = 1\n\
[[indicator]]\nid = \"m\"\nstatistic = \"moment\"\ntheme = \"{}\"\npublished = \"{}\"\n\
[[indicator]]\nid = \"m2\"\nstatistic = \"moment\"\ntheme = \"{}\"\npublished = \"{}\"\n",
        names[0],
        t.theme,
        t.moment,
        t.theme,
        if t.moment == "pain" { "win_win" } else { "pain" }
    );
    let spec = parse(&text).unwrap();
    let rows = evaluate(&spec, &study).unwrap();
    let e = study.employees().unwrap();
    let st = strs(e, "study").unwrap();
    let ideas = bools(e, "has_ideas").unwrap();
    let idx: Vec<usize> = (0..e.height()).filter(|&i| st[i] == names[0]).collect();
    let k = idx.iter().filter(|&&i| ideas[i] == Some(true)).count();
    assert_eq!(rows[0].n, idx.len() as u64);
    assert!((rows[0].computed - k as f64 / idx.len() as f64).abs() < 1e-12);
    assert!(rows[1].passed && !rows[2].passed);
    assert_eq!(rows[1].computed_text.as_deref(), Some(t.moment));

    let bad = format!("{HEAD}[[indicator]]\nid = \"x\"\nstatistic = \"has_ideas\"\nfilter = {{ study = \"atlantis\" }}\npublished = 0.5\ntolerance = 1\n");
    match evaluate(&parse(&bad).unwrap(), &study) {
        Err(MiroirError::Spec { line, key, detail, .. }) => {
            assert_eq!((line, key.as_str()), (7, "filter"));
            assert!(detail.contains("unknown study 'atlantis'"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let bad = format!("{HEAD}[[indicator]]\nid = \"x\"\nstatistic = \"share\"\ncolumn = \"happiness\"\npublished = 0.5\ntolerance = 1\n");
    match evaluate(&parse(&bad).unwrap(), &study) {
        Err(MiroirError::Spec { line, key, .. }) => assert_eq!((line, key.as_str()), (7, "column")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_table_defined_only_by_its_sub_tables_is_read() {
    // `[schema.csv]` without `[schema]` (a super-table TOML leaves implicit) was refused with
    // "key '': invalid type: string \"csv\", expected a borrowed string"
    let text = "title = \"x\"\n[data]\ndir = \"exports\"\n[schema.csv]\nseparator = \";\"\n\
                [[indicator]]\nid = \"a\"\nstatistic = \"share\"\ncolumn = \"has_ideas\"\npublished = 0.5\ntolerance = 0.5\n";
    let spec = parse(text).unwrap();
    assert_eq!(spec.schema.csv().separator, Some(b';'));
    let file = crate::reproduce::spec::parse_schema_file("[schema.csv]\nseparator = \";\"\n", "schema.toml").unwrap();
    assert_eq!(file.csv().separator, Some(b';'));
    // an error in such a table still names its own line
    let (line, key, _) = spec_error(&text.replace("separator = \";\"", "separatorr = \";\""));
    assert_eq!((line, key.as_str()), (5, "separatorr"));
}
