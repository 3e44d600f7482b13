language-name = Dansk
