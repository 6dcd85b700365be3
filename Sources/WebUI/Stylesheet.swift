/// The one stylesheet, served from the module at `/admin/static/style.css` (no external assets, so the
/// Content-Security-Policy can allow `'self'` only).
enum Stylesheet {
    static let css = """
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;background:#f5f6f8}
        header{display:flex;flex-wrap:wrap;align-items:center;gap:1.2em;padding:.6em 1.2em;background:#1f3a5f;color:#fff}
        header a{color:#fff;text-decoration:none}
        header nav{display:flex;gap:1em;flex:1}
        header nav a:hover{text-decoration:underline}
        .brand{font-weight:700;font-size:1.1em}
        .logout{display:flex;gap:.6em;align-items:center;margin:0}
        main{max-width:1200px;margin:1.2em auto;padding:0 1.2em}
        h1{font-size:1.5em;margin:.3em 0 .8em}
        h2{font-size:1.15em;margin:1.4em 0 .5em}
        table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1em}
        th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e1e4e8;vertical-align:top}
        th{background:#eef1f4;font-weight:600}
        dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.2em;background:#fff;padding:.8em;margin:0 0 1em}
        dl.fields dt{font-weight:600}
        dl.fields dd{margin:0;word-break:break-all}
        code,pre,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
        pre{background:#fff;padding:.8em;overflow:auto}
        form.panel,section.panel{background:#fff;padding:1em;margin-bottom:1em;border:1px solid #e1e4e8}
        label{display:block;font-weight:600;margin:.6em 0 .2em}
        label.inline{display:inline-block;font-weight:400;margin:.1em 1em .1em 0}
        input[type=text],input[type=password],input[type=number],input[type=email],select,textarea{width:100%;max-width:40em;padding:.35em;border:1px solid #b8bfc7;border-radius:3px;font:inherit}
        textarea{font-family:ui-monospace,Menlo,Consolas,monospace;min-height:6em}
        button,.button{display:inline-block;padding:.4em .9em;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;border-radius:3px;cursor:pointer;font:inherit;text-decoration:none}
        button.secondary,.button.secondary{background:#fff;color:#1f3a5f}
        button.danger{background:#a4262c;border-color:#a4262c}
        .filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-end;background:#fff;padding:.8em;margin-bottom:1em}
        .filters label{margin:0}
        .filters input,.filters select{width:auto}
        .error{color:#a4262c;font-weight:600}
        .field-error{color:#a4262c;margin:.2em 0}
        .notice{background:#e6f4ea;border:1px solid #9fd3ae;padding:.6em}
        .status-valid{color:#1a7f37}.status-expired{color:#9a6700}.status-revoked{color:#a4262c;font-weight:600}
        ul.tree{list-style:none;padding-left:1.2em;border-left:2px solid #d0d7de;margin:.2em 0}
        ul.tree.root{border-left:none;padding-left:0}
        .muted{color:#6a737d}
        .pager{display:flex;gap:1em}
        """
}
