from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "Hello from a Docker Space"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
