"""Writes to the curriculum: loading the roadmap file, publishing and archiving."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max, Q

from curriculum.models import (
    ChecklistItem,
    InterviewArea,
    Objective,
    Project,
    ReadinessStatement,
    Stage,
)

DEFAULT_ROADMAP = Path(__file__).resolve().parent / "data" / "roadmap.yaml"
DEFAULT_READINESS = Path(__file__).resolve().parent / "data" / "readiness.yaml"


class CurriculumFileError(ValueError):
    """The roadmap file cannot be loaded; the message says where and why."""


@dataclass
class KindCount:
    created: int = 0
    existing: int = 0


@dataclass
class LoadReport:
    stages: KindCount = field(default_factory=KindCount)
    objectives: KindCount = field(default_factory=KindCount)
    projects: KindCount = field(default_factory=KindCount)
    checklist_items: KindCount = field(default_factory=KindCount)
    interview_areas: KindCount = field(default_factory=KindCount)
    readiness_statements: KindCount = field(default_factory=KindCount)
    # Rows of the file that clash with what staff changed (e.g. a stage number now used by
    # another slug): not created, and named here so someone can look.
    skipped: list[str] = field(default_factory=list)


# --- reading and validating the file -------------------------------------------------------


def _require_mapping(value, where):
    if not isinstance(value, dict):
        raise CurriculumFileError(f"{where}: expected a mapping of keys to values.")
    return value


def _require_list(value, where, *, optional=False):
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise CurriculumFileError(f"{where}: expected a list.")
    return value


def _require_text(mapping, key, where, *, optional=False):
    value = mapping.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CurriculumFileError(f"{where}: '{key}' is missing or empty.")
    return value.strip()


def _require_slug(mapping, where):
    slug = _require_text(mapping, "slug", where)
    try:
        validate_slug(slug)
    except ValidationError:
        raise CurriculumFileError(
            f"{where}: slug {slug!r} may only contain letters, digits, hyphens and underscores."
        ) from None
    return slug


def _text_lines(value, where):
    items = _require_list(value, where, optional=True)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise CurriculumFileError(f"{where}: every entry must be a non-empty line of text.")
    return [item.strip() for item in items]


def curriculum_parse(text: str) -> dict:
    """The roadmap YAML, checked and normalised; raises CurriculumFileError on any defect."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CurriculumFileError(f"not valid YAML: {error}") from None
    raw = _require_mapping(raw, "the file")
    stages, seen_numbers, seen_stage_slugs, seen_project_slugs = [], set(), set(), set()
    for s_index, raw_stage in enumerate(_require_list(raw.get("stages"), "stages")):
        where = f"stages[{s_index}]"
        raw_stage = _require_mapping(raw_stage, where)
        number = raw_stage.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise CurriculumFileError(f"{where}: 'number' must be a whole number from 1 up.")
        slug = _require_slug(raw_stage, where)
        if number in seen_numbers:
            raise CurriculumFileError(f"{where}: stage number {number} appears twice.")
        if slug in seen_stage_slugs:
            raise CurriculumFileError(f"{where}: stage slug {slug!r} appears twice.")
        seen_numbers.add(number)
        seen_stage_slugs.add(slug)
        projects = []
        for p_index, raw_project in enumerate(
            _require_list(raw_stage.get("projects"), f"{where}.projects", optional=True)
        ):
            p_where = f"{where}.projects[{p_index}]"
            raw_project = _require_mapping(raw_project, p_where)
            p_slug = _require_slug(raw_project, p_where)
            if p_slug in seen_project_slugs:
                raise CurriculumFileError(f"{p_where}: project slug {p_slug!r} appears twice.")
            seen_project_slugs.add(p_slug)
            is_required = raw_project.get("is_required", True)
            if not isinstance(is_required, bool):
                raise CurriculumFileError(f"{p_where}: 'is_required' must be true or false.")
            kind = (
                _require_text(raw_project, "kind", p_where, optional=True) or Project.Kind.PROJECT
            )
            if kind not in Project.Kind.values:
                raise CurriculumFileError(
                    f"{p_where}: kind {kind!r} is not one of {', '.join(Project.Kind.values)}."
                )
            projects.append(
                {
                    "slug": p_slug,
                    "title": _require_text(raw_project, "title", p_where),
                    "summary": _require_text(raw_project, "summary", p_where),
                    "brief": _require_text(raw_project, "brief", p_where),
                    "skills": "\n".join(
                        _text_lines(raw_project.get("skills"), f"{p_where}.skills")
                    ),
                    "features": "\n".join(
                        _text_lines(raw_project.get("features"), f"{p_where}.features")
                    ),
                    "is_required": is_required,
                    "kind": kind,
                }
            )
        stages.append(
            {
                "number": number,
                "slug": slug,
                "title": _require_text(raw_stage, "title", where),
                "summary": _require_text(raw_stage, "summary", where),
                "body": _require_text(raw_stage, "body", where, optional=True),
                "objectives": _text_lines(raw_stage.get("objectives"), f"{where}.objectives"),
                "projects": projects,
            }
        )
    checklist, seen_texts = [], set()
    for c_index, raw_item in enumerate(
        _require_list(raw.get("checklist"), "checklist", optional=True)
    ):
        where = f"checklist[{c_index}]"
        raw_item = _require_mapping(raw_item, where)
        text = _require_text(raw_item, "text", where)
        if text in seen_texts:
            raise CurriculumFileError(f"{where}: checklist item {text!r} appears twice.")
        seen_texts.add(text)
        check = _require_text(raw_item, "check", where, optional=True)
        if check and check not in ChecklistItem.Check.values:
            raise CurriculumFileError(
                f"{where}: check {check!r} is not one of {', '.join(ChecklistItem.Check.values)}."
            )
        checklist.append(
            {
                "text": text,
                "help": _require_text(raw_item, "help", where, optional=True),
                "automated_check": check,
            }
        )
    return {"stages": stages, "checklist": checklist}


def readiness_parse(text: str) -> dict:
    """The readiness YAML (interview areas, readiness statements), checked and normalised."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CurriculumFileError(f"not valid YAML: {error}") from None
    raw = _require_mapping(raw, "the file")
    areas = _text_lines(raw.get("interview_areas"), "interview_areas")
    if len(set(areas)) != len(areas):
        raise CurriculumFileError("interview_areas: an area appears twice.")
    statements, seen = [], set()
    for index, raw_item in enumerate(_require_list(raw.get("readiness"), "readiness")):
        where = f"readiness[{index}]"
        raw_item = _require_mapping(raw_item, where)
        text = _require_text(raw_item, "text", where)
        if text in seen:
            raise CurriculumFileError(f"{where}: statement {text!r} appears twice.")
        seen.add(text)
        evidence = _require_text(raw_item, "evidence", where, optional=True)
        if evidence not in ReadinessStatement.Evidence.values:
            raise CurriculumFileError(
                f"{where}: evidence {evidence!r} is not one of "
                f"{', '.join(v for v in ReadinessStatement.Evidence.values if v)}."
            )
        check = _require_text(raw_item, "check", where, optional=True)
        if (evidence == ReadinessStatement.Evidence.AUTOMATED_CHECK) != bool(check) or (
            check and check not in ChecklistItem.Check.values
        ):
            raise CurriculumFileError(
                f"{where}: automated-check evidence needs a 'check', one of "
                f"{', '.join(ChecklistItem.Check.values)}; other evidence takes none."
            )
        area = _require_text(raw_item, "area", where, optional=True)
        if (evidence == ReadinessStatement.Evidence.MOCK_INTERVIEW) != bool(area) or (
            area and area not in areas
        ):
            raise CurriculumFileError(
                f"{where}: mock-interview evidence needs an 'area' from interview_areas; "
                "other evidence takes none."
            )
        statements.append(
            {"text": text, "evidence": evidence, "automated_check": check, "area": area}
        )
    return {"interview_areas": areas, "readiness": statements}


# --- writing it to the database ------------------------------------------------------------


def _create(model, where, **values):
    row = model(**values)
    try:
        row.full_clean()
    except ValidationError as error:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise CurriculumFileError(f"{where}: {details}") from None
    row.save()
    return row


@transaction.atomic
def curriculum_load(*, data: dict) -> LoadReport:
    """Create what the parsed roadmap has and the database lacks; never change existing rows.

    Stages and projects are matched by slug, objectives by (stage, order), checklist items by
    text or order. Whatever already exists is left exactly as staff last saved it.
    """
    report = LoadReport()
    for s_index, stage_data in enumerate(data["stages"]):
        where = f"stages[{s_index}]"
        stage = Stage.objects.filter(slug=stage_data["slug"]).first()
        if stage is not None:
            report.stages.existing += 1
        elif Stage.objects.filter(number=stage_data["number"]).exists():
            report.skipped.append(
                f"stage {stage_data['slug']!r}: number {stage_data['number']} is already used "
                "by another stage, so it and its objectives and projects were not created"
            )
            continue
        else:
            stage = _create(
                Stage,
                where,
                number=stage_data["number"],
                slug=stage_data["slug"],
                title=stage_data["title"],
                summary=stage_data["summary"],
                body=stage_data["body"],
            )
            report.stages.created += 1

        taken_orders = set(stage.objectives.values_list("order", flat=True))
        for order, text in enumerate(stage_data["objectives"], start=1):
            if order in taken_orders:
                report.objectives.existing += 1
                continue
            _create(
                Objective, f"{where}.objectives[{order - 1}]", stage=stage, order=order, text=text
            )
            report.objectives.created += 1

        for p_index, project_data in enumerate(stage_data["projects"]):
            if Project.objects.filter(slug=project_data["slug"]).exists():
                report.projects.existing += 1
                continue
            # The file's position is the order, unless staff have put another project there.
            order = p_index + 1
            if stage.projects.filter(order=order).exists():
                order = (stage.projects.aggregate(last=Max("order"))["last"] or 0) + 1
            _create(
                Project, f"{where}.projects[{p_index}]", stage=stage, order=order, **project_data
            )
            report.projects.created += 1

    for c_index, item_data in enumerate(data["checklist"]):
        order = c_index + 1
        # Same text, or another text at its place: staff reworded it; either way it exists.
        if ChecklistItem.objects.filter(Q(text=item_data["text"]) | Q(order=order)).exists():
            report.checklist_items.existing += 1
            continue
        _create(ChecklistItem, f"checklist[{c_index}]", order=order, **item_data)
        report.checklist_items.created += 1
    return report


@transaction.atomic
def readiness_load(*, data: dict, report: LoadReport | None = None) -> LoadReport:
    """Create the interview areas and readiness statements the database lacks (matched by
    name or text, or by order: staff reworded it); never change existing rows."""
    report = report or LoadReport()
    for index, name in enumerate(data["interview_areas"]):
        order = index + 1
        if InterviewArea.objects.filter(Q(name=name) | Q(order=order)).exists():
            report.interview_areas.existing += 1
            continue
        _create(InterviewArea, f"interview_areas[{index}]", order=order, name=name)
        report.interview_areas.created += 1
    for index, item in enumerate(data["readiness"]):
        order = index + 1
        if ReadinessStatement.objects.filter(Q(text=item["text"]) | Q(order=order)).exists():
            report.readiness_statements.existing += 1
            continue
        area = None
        if item["area"]:
            area = InterviewArea.objects.filter(name=item["area"]).first()
            if area is None:  # staff renamed it: the statement still says what it means
                report.skipped.append(
                    f"readiness statement {item['text']!r}: interview area {item['area']!r} "
                    "no longer exists, so it was not created"
                )
                continue
        _create(
            ReadinessStatement,
            f"readiness[{index}]",
            order=order,
            text=item["text"],
            evidence=item["evidence"],
            automated_check=item["automated_check"],
            interview_area=area,
        )
        report.readiness_statements.created += 1
    return report


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CurriculumFileError(f"cannot read {path}: {error.strerror or error}") from None


def _from_file(path: Path, parse, load, **kwargs):
    """Parse and load one file; its errors name the file."""
    text = _read(path)
    try:
        return load(data=parse(text), **kwargs)
    except CurriculumFileError as error:
        raise CurriculumFileError(f"{path}: {error}") from None


@transaction.atomic
def curriculum_load_file(
    *, path: Path = DEFAULT_ROADMAP, readiness_path: Path | None = DEFAULT_READINESS
) -> LoadReport:
    """Both files in one transaction; `readiness_path=None` loads the roadmap alone."""
    report = _from_file(path, curriculum_parse, curriculum_load)
    if readiness_path is not None:
        _from_file(readiness_path, readiness_parse, readiness_load, report=report)
    return report


def readiness_load_file(*, path: Path = DEFAULT_READINESS) -> LoadReport:
    return _from_file(path, readiness_parse, readiness_load)


@transaction.atomic
def curriculum_set_published(*, queryset, is_published: bool) -> int:
    """Publish or archive the rows of `queryset`; returns how many actually changed."""
    return queryset.exclude(is_published=is_published).update(is_published=is_published)
