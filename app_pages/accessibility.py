"""Tillgänglighet: the accessibility statement (tillgänglighetsredogörelse) DOS-lagen asks
every public digital service to publish."""

from ui.accessibility import render_accessibility_statement

render_accessibility_statement()
