// Marks the page as having JavaScript, as the NHS.UK template's inline script does; kept in a
// file so the Content Security Policy can forbid inline scripts.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
