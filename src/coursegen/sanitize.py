"""`markdown.sanitize: true`: strip active content (scripts, event handlers, javascript: URLs) from
lesson bodies, for courses that accept contributions. The cleaning is nh3's (the Ammonia sanitizer);
this module only says what a course page legitimately contains."""

from __future__ import annotations

_MATHML = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "semantics",
    "annotation",
    "mmultiscripts",
    "mprescripts",
    "none",
}
# What Temml writes in formulas (layout of matrices and aligned rows, sizes of delimiters…)
_MATH_STYLE = {"text-align", "padding", "padding-left", "padding-right", "width", "border", "display"}
_EXTRA_TAGS = {
    "input",
    "label",
    "section",
    "main",
    "sup",
    "sub",
    "form",
    "fieldset",
    "legend",
    "button",
} | _MATHML
_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "role", "aria-hidden", "aria-label"}
_ATTRIBUTES = {
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "disabled", "name", "value", "data-correct"},
    "form": {"data-quiz", "data-correct-text", "data-incorrect-text"},
    "button": {"type"},
    "div": {"hidden"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "style", "scope"},
    "ol": {"start", "type"},
    "details": {"open"},
    "math": {"display", "xmlns", "style"},
    "mi": {"mathvariant"},
    "mo": {
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "form",
        "movablelimits",
        "largeop",
        "symmetric",
        "minsize",
        "maxsize",
        "accent",
    },
    "mrow": {"style", "scriptlevel", "displaystyle"},
    "mstyle": {"displaystyle", "scriptlevel", "style"},
    "mspace": {"width", "height", "depth"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "menclose": {"notation"},
    "mfrac": {"linethickness"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mtable": {
        "columnalign",
        "rowspacing",
        "columnspacing",
        "columnlines",
        "rowlines",
        "frame",
        "framespacing",
        "displaystyle",
        "style",
    },
    "mtd": {"columnspan", "rowspan", "columnalign", "style"},
    "annotation": {"encoding"},
}


def _only_images_may_be_data(tag: str, attribute: str, value: str) -> str | None:
    """Notebook figures are data: URIs; anything else with data: (a link to data:text/html…) goes."""
    if value.strip().lower().startswith("data:") and not (
        tag == "img" and attribute == "src" and value.strip().lower().startswith("data:image/")
    ):
        return None
    return value


def sanitize_html(html: str) -> str:
    import nh3  # only courses that ask for sanitizing pay for it

    tags = set(nh3.ALLOWED_TAGS) | _EXTRA_TAGS
    attributes = {tag: set(names) | _GLOBAL_ATTRIBUTES for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _ATTRIBUTES.items():
        attributes[tag] = attributes.get(tag, set()) | names | _GLOBAL_ATTRIBUTES
    attributes["*"] = _GLOBAL_ATTRIBUTES
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_only_images_may_be_data,
        link_rel=None,
        strip_comments=True,
        filter_style_properties=_MATH_STYLE,  # Markdown tables align columns with style="text-align…"
    )
