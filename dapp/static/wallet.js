// Signing the wallet-binding challenge with a browser wallet (EIP-1193 provider), when one is installed.
// Without one, the person signs the message shown with any wallet and pastes the signature.
(function () {
  const provider = window.ethereum;
  const button = document.getElementById("sign-in-browser");
  const form = document.getElementById("wallet-binding");
  if (!provider || !button || !form) return;
  button.hidden = false;
  button.addEventListener("click", async function () {
    const message = document.getElementById("challenge-message").textContent;
    const wallet = JSON.parse(document.getElementById("challenge-typed-data").textContent).message.wallet;
    const [account] = await provider.request({ method: "eth_requestAccounts" });
    const hex = "0x" + Array.from(new TextEncoder().encode(message), (b) => b.toString(16).padStart(2, "0")).join("");
    const signature = await provider.request({ method: "personal_sign", params: [hex, account || wallet] });
    form.elements["signature"].value = signature;
    form.elements["scheme"].value = "personal_sign";
  });
})();
