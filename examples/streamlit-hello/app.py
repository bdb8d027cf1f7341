import streamlit as st

st.title("Hello Streamlit")
name = st.text_input("Name", "world")
st.write(f"Hello, {name}!")
