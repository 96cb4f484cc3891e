from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    email = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")])
    password = PasswordField("Lösenord", validators=[DataRequired("Ange ditt lösenord.")])
