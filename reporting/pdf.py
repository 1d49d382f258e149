"""HTML to PDF for the reports, with WeasyPrint, as the letters do (complaints/letters/pdf.py):
the fetcher allows only ``data:`` URIs, so a report can never make the server read a file or
call a URL, whatever text ends up in it."""


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
