// Timeline webview entry point. The timeline arrives with the extension issue.
export {};
