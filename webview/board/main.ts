// Board webview entry. A placeholder until the React board lands (and this becomes main.tsx).
const root = document.getElementById("root") ?? document.body;
root.textContent = "Switchboard board: not available yet.";
