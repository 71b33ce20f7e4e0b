"""The staff's HTTP side: login and the gate every staff page and API passes, CSRF, the pages and
routes of the console, /admin, the directory, partners, the risk guide and the metrics."""
