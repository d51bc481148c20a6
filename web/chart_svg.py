"""matplotlib's SVG made fit for the console page and for a download.

- A `<title>` and a `<desc>` (the chart's numbers in words), named by `aria-labelledby` on
  an `role="img"` root, so a screen reader says what the chart shows.
- Every id prefixed with the chart's name: several charts sit in one page, and their
  matplotlib ids (clip paths, markers) would otherwise meet.
- No inline style: the console's Content-Security-Policy allows styles from /static/ only,
  so each `style="fill: ...; stroke: ..."` becomes the presentation attributes it stands
  for, and the global `<style>` matplotlib writes moves to the console's stylesheet.
- Text keeps a font list that finds a CJK font in the reader's browser.
- Inline, the root loses its fixed width and height and keeps its viewBox, so it scales
  with the page (and with A4 when printed); a download keeps them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)
FONT_STACK = "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, Noto Sans SC, sans-serif"
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def chart_id(name: str) -> str:
    return "chart-" + _SAFE_NAME.sub("-", name).strip("-")


def clean(raw: str, name: str, title: str, description: str, *, standalone: bool) -> str:
    root = ET.fromstring(raw)
    prefix = chart_id(name)
    for parent in list(root.iter()):
        for style in parent.findall(f"{{{SVG}}}style"):
            parent.remove(style)
    for element in root.iter():
        _unstyle(element)
        _prefix_ids(element, prefix)
        if element.tag == f"{{{SVG}}}text":
            element.set("font-family", FONT_STACK)
    for metadata in root.findall(f"{{{SVG}}}metadata"):
        root.remove(metadata)
    label = ET.Element(f"{{{SVG}}}title", {"id": f"{prefix}-title"})
    label.text = title
    desc = ET.Element(f"{{{SVG}}}desc", {"id": f"{prefix}-desc"})
    desc.text = description
    root.insert(0, desc)
    root.insert(0, label)
    root.set("id", prefix)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    root.set("class", "chart")
    if not standalone:
        root.attrib.pop("width", None)
        root.attrib.pop("height", None)
    text = ET.tostring(root, encoding="unicode")
    if standalone:
        return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + text + "\n"
    return text


def _unstyle(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        key, colon, value = declaration.partition(":")
        if colon and key.strip():
            element.set(key.strip(), value.strip())


def _prefix_ids(element: ET.Element, prefix: str) -> None:
    if "id" in element.attrib:
        element.set("id", f"{prefix}-{element.attrib['id']}")
    href = f"{{{XLINK}}}href"
    if element.attrib.get(href, "").startswith("#"):
        element.set(href, f"#{prefix}-{element.attrib[href][1:]}")
    for key in ("clip-path", "mask", "fill", "filter"):
        value = element.attrib.get(key)
        if value and "url(#" in value:
            element.set(key, _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value))
