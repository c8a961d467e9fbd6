"""Where the site keeps each page: stable, safe file names for any id."""

from monitor.paths import area_path, case_path, commissioner_path, explanation_path


def test_plain_ids_are_their_own_names():
    assert explanation_path("850", "la-evidence", "eh850-19-1") == "areas/850/explain/la-evidence/eh850-19-1.html"
    assert area_path("850") == "areas/850/"
    assert commissioner_path("qrl") == "commissioners/qrl/"
    assert case_path("850", "c1") == "areas/850/cases/c1.html"


def test_ids_differing_only_in_case_or_letters_never_share_a_file():
    names = {case_path("850", ref) for ref in ("C1", "c1", "C1:health", "C1/health", "Ç1", "c1_x")}
    assert len(names) == 6
    for name in names:
        leaf = name.rsplit("/", 1)[1]
        assert len(leaf.encode()) <= 125 and "/" not in leaf and ".." not in leaf and leaf == leaf.lower()
    assert case_path("850", "C1") == case_path("850", "C1")  # the same in every run


def test_a_long_or_hostile_id_stays_inside_its_folder():
    name = explanation_path("850", "la-evidence", "../../" + "x" * 500)
    assert name.startswith("areas/850/explain/la-evidence/") and name.count("/") == 4
    assert len(name.rsplit("/", 1)[1].encode()) <= 125
