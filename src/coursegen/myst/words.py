"""The words MyST blocks add to a page (numbered captions, block titles), in the page's language.

Kept here rather than in the theme's strings: they are the book's words (Sphinx's own captions),
not the interface's, and a course can't rename them one by one."""

from __future__ import annotations

_EN = {
    "figure": "Figure",
    "table": "Table",
    "code": "Listing",
    "equation": "Equation",
    "exercise": "Exercise",
    "solution": "Solution",
    "solution_to": "Solution to",
    "section": "Section",
    "seealso": "See also",
    "unsupported": "not supported by coursegen, shown as written",
    "source": "Source",
    "and": "and",
    "et_al": "et al.",
    "prf:theorem": "Theorem",
    "prf:lemma": "Lemma",
    "prf:definition": "Definition",
    "prf:example": "Example",
    "prf:remark": "Remark",
    "prf:proof": "Proof",
    "prf:algorithm": "Algorithm",
    "prf:corollary": "Corollary",
    "prf:proposition": "Proposition",
    "prf:conjecture": "Conjecture",
    "prf:axiom": "Axiom",
    "prf:criterion": "Criterion",
    "prf:observation": "Observation",
    "prf:property": "Property",
    "prf:assumption": "Assumption",
    "prf:notation": "Notation",
}

_FR = {
    "figure": "Figure",
    "table": "Tableau",
    "code": "Listing",
    "equation": "Équation",
    "exercise": "Exercice",
    "solution": "Solution",
    "solution_to": "Solution de l'exercice",
    "section": "Section",
    "seealso": "Voir aussi",
    "unsupported": "non pris en charge par coursegen, affiché tel qu'écrit",
    "source": "Source",
    "and": "et",
    "et_al": "et al.",
    "prf:theorem": "Théorème",
    "prf:lemma": "Lemme",
    "prf:definition": "Définition",
    "prf:example": "Exemple",
    "prf:remark": "Remarque",
    "prf:proof": "Démonstration",
    "prf:algorithm": "Algorithme",
    "prf:corollary": "Corollaire",
    "prf:proposition": "Proposition",
    "prf:conjecture": "Conjecture",
    "prf:axiom": "Axiome",
    "prf:criterion": "Critère",
    "prf:observation": "Observation",
    "prf:property": "Propriété",
    "prf:assumption": "Hypothèse",
    "prf:notation": "Notation",
}

PROOF_KINDS = tuple(name for name in _EN if name.startswith("prf:"))


def words(language: str) -> dict[str, str]:
    return _FR if language == "fr" else _EN
