"""The dashboards served live, by role: the static site's pages rendered from the store on
request (`app.build_app`), shown to each signed-in viewer as their roles allow
(`visibility`), each answer written to the access log."""
