"""Collection by phone: the campaign's forms served as web pages (`campaignflow web`).

Domain parts (no web framework): `secret` and `links` (signed per-unit links), `fields` (a
form's web fields, read with the Excel import's own checks), `filing` (a unit's web filing
replaces its previous one), `ballots` (one-time codes and the sealed box), `public` (群众评议);
`sheets` prints QR sheets and code slips. `app` is the Starlette app over them.
"""

URL_ENV = "CAMPAIGNFLOW_WEB_URL"  # the address units reach the web forms at (links, reminders)
