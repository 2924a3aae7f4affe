"""Developer scripts: the Ape deployer, the solc shim installer and the embedded development stack."""
