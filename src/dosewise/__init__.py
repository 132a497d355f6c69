"""dosewise: evidence-based dose safety, starting with baclofen.

dosewise informs; it is not medical advice. Layers (see DESIGN.md): foundations (units, severity,
errors) → knowledge (schema, catalog, data) → engines (assess, pk, plan) → services (journal) →
interfaces (cli, api, web).
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "dosewise gives information, not medical advice. It cannot see you: if you or someone with "
    "you may be in danger, call your local emergency number."
)
