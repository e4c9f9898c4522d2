import ConvnetSupport

/// Text from files (class names, file names) made safe inside an SVG: control characters, which
/// XML 1.0 forbids, become visible `\u{..}` escapes, then the XML specials are escaped.
func svgText(_ s: String) -> String { escapeXML(TerminalText.escaped(s)) }
